import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, In, IsNull, LessThan } from 'typeorm';
import { AuditWriter } from '../audit/audit-writer';
import { LoginFailure } from '../auth/login-failure.entity';
import { Clock } from '../config/clock';
import { IdempotencyKey } from '../reports/idempotency-key.entity';
import { ReportEntityValue } from '../reports/report-entity-value.entity';
import { Report } from '../reports/report.entity';
import { systemContext } from '../access/request-context';

const RETENTION_CTX = systemContext('retention');
const BATCH = 200;
export const PURGED_TITLE = '[purged under the retention policy]';
const DAY_MS = 86_400_000;
/** How long an Idempotency-Key is remembered: a replay after that is a new request. */
export const IDEMPOTENCY_DAYS = 7;

/**
 * Retention (28 CFR 23.20(h)): a report whose review date has passed without the originating agency
 * validating it (validation moves the date forward) is purged — title, narrative, source notes,
 * suspicion basis, location and entities erased, so it drops out of correlation and search; the row
 * stays as a tombstone (id, agency, markings, dates, purgedAt), reads as 404 to everyone, and its
 * audit history stays. One audit event per purged report.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger(RetentionService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditWriter,
    private readonly clock: Clock,
  ) {}

  /** Purges every report due at `now`. Returns the ids purged. Safe to run concurrently (row locks). */
  async purgeDue(now: Date = this.clock.now()): Promise<string[]> {
    const purged: string[] = [];
    for (;;) {
      const batch = await this.ds.transaction(async (m) => {
        const due = await m.find(Report, {
          select: { id: true, agencyId: true, reviewDueAt: true, validatedAt: true, createdAt: true },
          where: { purgedAt: IsNull(), reviewDueAt: LessThan(now) },
          order: { reviewDueAt: 'ASC' },
          take: BATCH,
          lock: { mode: 'pessimistic_write', onLocked: 'skip_locked' },
        });
        if (due.length === 0) return [];
        const ids = due.map((r) => r.id);
        await m.delete(ReportEntityValue, { reportId: In(ids) });
        await m.update(
          Report,
          { id: In(ids) },
          { title: PURGED_TITLE, narrative: '', sourceDescription: null, suspicionBasis: PURGED_TITLE, location: null, releasableTo: [], purgedAt: now },
        );
        // Stored idempotent responses carry the report's content too.
        await m
          .createQueryBuilder()
          .delete()
          .from(IdempotencyKey)
          .where(`response->>'id' IN (:...ids)`, { ids })
          .execute();
        await this.audit.recordMany(
          RETENTION_CTX,
          due.map((r) => ({
            action: 'report.purge',
            resourceType: 'Report',
            resourceId: r.id,
            outcome: 'ALLOWED' as const,
            reason: 'review date passed without validation (28 CFR 23.20(h))',
            details: { agencyId: r.agencyId, reviewDueAt: r.reviewDueAt, validatedAt: r.validatedAt, createdAt: r.createdAt },
          })),
          m,
        );
        return ids;
      });
      purged.push(...batch);
      if (batch.length < BATCH) break;
    }
    if (purged.length) this.logger.log({ count: purged.length }, 'purged reports past their review date');
    await this.expireBookkeeping(now);
    return purged;
  }

  /** Failed-login records outlive their throttling window by a day; idempotency records live 7 days. */
  private async expireBookkeeping(now: Date): Promise<void> {
    await this.ds.getRepository(LoginFailure).delete({ at: LessThan(new Date(now.getTime() - DAY_MS)) });
    await this.ds.getRepository(IdempotencyKey).delete({ createdAt: LessThan(new Date(now.getTime() - IDEMPOTENCY_DAYS * DAY_MS)) });
  }
}
