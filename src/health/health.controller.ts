import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, type HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { DomainException } from '../common/domain.exception';
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
  @HealthCheck()
  @ApiOperation({ summary: 'PostgreSQL, Redis and dissemination-queue depth (503 when one is down)' })
  async check(): Promise<HealthCheckResult> {
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
