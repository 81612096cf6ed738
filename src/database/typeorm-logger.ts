import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's own loggers print query parameters, which carry password hashes and report content.
 * This one logs failures and slow queries with the SQL text only, never the parameters.
 */
export class SafeTypeOrmLogger implements TypeOrmLogger {
  private readonly logger = new Logger('Database');

  logQuery(): void {
    /* queries are not logged */
  }

  logQueryError(error: string | Error, query: string): void {
    const message = error instanceof Error ? error.message : error;
    this.logger.warn({ query: query.slice(0, 500), error: message }, 'query failed');
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ query: query.slice(0, 500), ms: time }, 'slow query');
  }

  logSchemaBuild(message: string): void {
    this.logger.log(message);
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(message);
  }
}
