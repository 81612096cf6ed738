import { Controller, Get, Head, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { HealthCheck, type HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { HealthErrorCode, HealthException } from './health.errors';
import { ErrorBodyDto } from '../common/error-body';
import { Public, PublicOptionalUser } from '../common/decorators';
import { type AuthedContext, Ctx, type RequestContext } from '../access/request-context';
import { QueueHealthIndicator } from './queue.health';
import { RedisHealthIndicator } from './redis.health';

const DEPENDENCIES = {
  type: 'object',
  additionalProperties: true,
  description: 'For ADMIN only: each dependency (database, redis, disseminationQueue with its job counts)',
} as const;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly queue: QueueHealthIndicator,
  ) {}

  @Get()
  @PublicOptionalUser()
  // Above @HealthCheck(), so they replace Terminus's schemas: `{status}` for anyone, the details for ADMIN;
  // the 503 is the contract's error body.
  @ApiOkResponse({
    description: 'Every dependency is up. Without a token (or for any role but ADMIN): `{status}` only; for ADMIN also each dependency',
    schema: {
      type: 'object',
      required: ['status'],
      properties: { status: { type: 'string', enum: ['ok', 'degraded'] }, info: DEPENDENCIES, error: DEPENDENCIES, details: DEPENDENCIES },
    },
  })
  @ApiExtraModels(ErrorBodyDto)
  @ApiServiceUnavailableResponse({
    description: 'A dependency is down: the error body with `status`; for ADMIN also which one, and each dependency’s status',
    schema: {
      allOf: [
        { $ref: getSchemaPath(ErrorBodyDto) },
        {
          type: 'object',
          required: ['status'],
          properties: {
            status: { type: 'string', example: 'error' },
            info: { ...DEPENDENCIES, description: 'For ADMIN only: the dependencies that are up' },
            details: { ...DEPENDENCIES, description: 'For ADMIN only: every dependency, up or down' },
          },
        },
      ],
    },
  })
  @HealthCheck()
  @ApiOperation({
    summary: 'PostgreSQL, Redis and dissemination-queue depth (503 when one is down): `{status}` for anyone, details for ADMIN (bearer token optional)',
  })
  async check(@Ctx() ctx: RequestContext | AuthedContext): Promise<Partial<HealthCheckResult>> {
    const detailed = 'ability' in ctx && ctx.ability.can('read', 'HealthDetails');
    const result = await this.checkAll(detailed);
    return detailed ? result : { status: result.status };
  }

  /** The same check for monitors that ask with HEAD (the API serves no automatic HEAD routes). */
  @Head()
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'The same check, for monitors that ask with HEAD: 200, or 503 when a dependency is down; no body' })
  @ApiOkResponse({ description: 'Every dependency is up' })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down' })
  async checkHead(): Promise<void> {
    await this.checkAll(false);
  }

  /** Every dependency's check; a 503 when one is down, naming it and carrying Terminus's detail only when `detailed`. */
  private async checkAll(detailed: boolean): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.db.pingCheck('database', { timeout: 1500 }),
        () => this.redis.check('redis'),
        () => this.queue.check('disseminationQueue'),
      ]);
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      const result = err.getResponse() as HealthCheckResult;
      if (!detailed) throw new HealthException(HealthErrorCode.DEPENDENCY_DOWN, 'Unavailable', { status: result.status });
      // Keep Terminus's per-dependency detail in the contract's error body.
      const down = Object.keys(result.error ?? {});
      throw new HealthException(HealthErrorCode.DEPENDENCY_DOWN, `Unavailable: ${down.join(', ') || 'a dependency'}`, {
        status: result.status,
        info: result.info,
        details: result.details,
      });
    }
  }
}
