import { Controller, Get, Head, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { HealthCheck, type HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { DomainException } from '../common/domain.exception';
import { ErrorBodyDto } from '../common/error-body';
import { Public } from '../common/decorators';
import { QueueHealthIndicator } from './queue.health';
import { RedisHealthIndicator } from './redis.health';

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
  @Public()
  // Above @HealthCheck(), so it replaces Terminus's 503 schema: the 503 is the contract's error body, with Terminus's detail.
  @ApiExtraModels(ErrorBodyDto)
  @ApiServiceUnavailableResponse({
    description: 'A dependency is down: the error body, with each dependency’s status',
    schema: {
      allOf: [
        { $ref: getSchemaPath(ErrorBodyDto) },
        {
          type: 'object',
          properties: {
            status: { type: 'string', example: 'error' },
            info: { type: 'object', additionalProperties: true, description: 'The dependencies that are up' },
            details: { type: 'object', additionalProperties: true, description: 'Every dependency, up or down' },
          },
        },
      ],
    },
  })
  @HealthCheck()
  @ApiOperation({ summary: 'PostgreSQL, Redis and dissemination-queue depth (503 when one is down)' })
  async check(): Promise<HealthCheckResult> {
    return this.checkAll();
  }

  /** The same check for monitors that ask with HEAD (the API serves no automatic HEAD routes). */
  @Head()
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'The same check, for monitors that ask with HEAD: 200, or 503 when a dependency is down; no body' })
  @ApiOkResponse({ description: 'Every dependency is up' })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down' })
  async checkHead(): Promise<void> {
    await this.checkAll();
  }

  private async checkAll(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.db.pingCheck('database', { timeout: 1500 }),
        () => this.redis.check('redis'),
        () => this.queue.check('disseminationQueue'),
      ]);
    } catch (err) {
      // Keep Terminus's per-dependency detail in the contract's error body.
      if (!(err instanceof ServiceUnavailableException)) throw err;
      const result = err.getResponse() as HealthCheckResult;
      const down = Object.keys(result.error ?? {});
      throw new DomainException(503, 'DEPENDENCY_DOWN', `Unavailable: ${down.join(', ') || 'a dependency'}`, {
        status: result.status,
        info: result.info,
        details: result.details,
      });
    }
  }
}
