import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { AuditWriter, gatedEventsParam, insertGatedEvents } from '../audit/audit-writer';
import { CoalescingRunner } from '../common/coalescing-runner';
import { preparedQuery } from '../common/prepared';
import { AppConfig } from '../config/app-config';
import { auditTrail, Dissemination } from './dissemination.entity';
import { DISSEMINATION_QUEUE, type JobMap } from '../common/queues';
import { systemContext } from '../access/request-context';

const SWEEP_INTERVAL_MS = 5000;
const SWEEP_BATCH = 500;
const RELAY_CTX = systemContext('relay');

/**
 * The rows of `$1` still PENDING become QUEUED, locked in id order (as a batch of deliveries locks
 * them, so the two never deadlock), with a `dissemination.queue` event (`$2`) for each row it moved.
 */
const MARK_QUEUED = `WITH lk AS (SELECT id FROM dissemination WHERE id = ANY($1::uuid[]) AND status = 'PENDING' ORDER BY id FOR UPDATE),
  u AS (UPDATE dissemination d SET status = 'QUEUED', queued_at = now() FROM lk WHERE d.id = lk.id AND d.status = 'PENDING' RETURNING d.id)
${insertGatedEvents('$2', 'u')}`;

/** BullMQ job options for a delivery: retries with exponential backoff, bounded history. */
export function deliveryJobOptions(config: AppConfig, id: string) {
  return {
    jobId: id,
    attempts: config.DISSEMINATION_MAX_ATTEMPTS,
    backoff: { type: 'exponential' as const, delay: config.DISSEMINATION_BACKOFF_MS },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 50_000 },
  };
}

/**
 * Moves the outbox into the queue. Redis is not the system of record: every dissemination not yet
 * delivered (PENDING, or QUEUED without a job — Redis lost it) is (re-)enqueued, with job id =
 * dissemination id so a job is never queued twice. The outbox is read right after each publication
 * and every five seconds; the repair of lost jobs runs every five seconds, at start and after a
 * redrive. A Redis outage only delays either.
 */
@Injectable()
export class RelayService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RelayService.name);
  private readonly runner = new CoalescingRunner({
    run: () => this.sweepAsked(),
    onError: (err) => this.sweepFailed(err),
    everyMs: SWEEP_INTERVAL_MS,
    onTick: () => this.kick({ repair: true }),
  });
  /** A sweep with the repair of lost jobs was asked for and has not started yet. */
  private repairWanted = false;
  private downSince: number | null = null;
  /** Where the next look for QUEUED rows without a job starts (null: from the oldest). */
  private recoverAfter: Pick<Dissemination, 'createdAt' | 'id'> | null = null;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @InjectQueue(DISSEMINATION_QUEUE) private readonly queue: Queue<JobMap['deliver']>,
    private readonly audit: AuditWriter,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.runner.start();
    this.kick({ repair: true });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }

  /**
   * Schedules a sweep now (coalescing concurrent requests). Never throws. A publication asks only for its
   * new rows to be queued; the periodic sweep (`repair`) also looks for QUEUED rows whose job is gone.
   * That look reads every QUEUED row's job from Redis: run after each publication, it read the 200 jobs
   * just added while the worker was delivering them (bench/findings.md F3).
   */
  kick({ repair = false }: { repair?: boolean } = {}): void {
    this.repairWanted ||= repair;
    this.runner.now();
  }

  /** The sweep the runner runs: with the repair if any ask since the last sweep started wanted it. */
  private async sweepAsked(): Promise<void> {
    const repair = this.repairWanted;
    this.repairWanted = false;
    await this.sweep({ repair });
  }

  /**
   * One pass over the open outbox: the PENDING rows in batches, then (with `repair`, the default) the
   * QUEUED rows whose job Redis lost. Returns how many jobs it handed to the queue (an add whose job already exists counts too).
   */
  async sweep({ repair = true }: { repair?: boolean } = {}): Promise<number> {
    let added = 0;
    for (;;) {
      // Every batch leaves the PENDING state (moved by this UPDATE or by a concurrent relay's), so
      // this ends; a full batch may have more behind it.
      const taken = await this.queuePending();
      added += taken;
      if (taken < SWEEP_BATCH) break;
    }
    if (repair) added += await this.recoverQueued();
    if (added && this.downSince) {
      this.logger.log('the queue and database are back; the relay caught up');
      this.downSince = null;
    }
    return added;
  }

  /**
   * PENDING → the queue, one batch at a time: one `addBulk` (job id = dissemination id, so a job that
   * already exists is not added again), then one statement ({@link MARK_QUEUED}) that marks the rows
   * still PENDING as QUEUED and audits exactly those. If that statement fails the jobs are in the queue
   * anyway and the rows stay PENDING: the next sweep's `addBulk` adds nothing, and its UPDATE finishes
   * the move.
   */
  private async queuePending(): Promise<number> {
    const pending = (
      await preparedQuery<{ id: string; assessment_id: string | null; threat_level_change_id: string | null; agency_id: string }>(
        this.ds,
        `SELECT id, assessment_id, threat_level_change_id, agency_id FROM dissemination WHERE status = 'PENDING' ORDER BY created_at LIMIT $1`,
        [SWEEP_BATCH],
      )
    ).map((r) => ({ id: r.id, assessmentId: r.assessment_id, threatLevelChangeId: r.threat_level_change_id, agencyId: r.agency_id }));
    if (pending.length === 0) return 0;
    await this.queue.addBulk(pending.map((d) => ({ name: 'deliver' as const, data: { disseminationId: d.id }, opts: deliveryJobOptions(this.config, d.id) })));
    // Only the rows this UPDATE moves are audited: one the worker already delivered, or another relay queued, is not audited again.
    const events = pending.map((d) => ({ forId: d.id, ifWritten: true, input: { ...auditTrail(d), action: 'dissemination.queue', outcome: 'ALLOWED' as const } }));
    await preparedQuery(this.ds, MARK_QUEUED, [pending.map((d) => d.id), gatedEventsParam(RELAY_CTX, events)]);
    this.audit.chainSoon();
    return pending.length;
  }

  /**
   * QUEUED rows whose job is gone (Redis restarted empty, or lost its data) are enqueued again; a job
   * that failed for good since the row was queued marks it FAILED instead. Each sweep looks at one page
   * of QUEUED rows, after the page the previous sweep looked at (from the oldest again once it reaches
   * the end), so a backlog larger than a page is covered in turn and the work per sweep stays bounded.
   * The job look-ups go out together; the rare repairs follow one by one, the re-adds as one `addBulk`
   * and one audit insert.
   */
  private async recoverQueued(): Promise<number> {
    const after = this.recoverAfter;
    const queued: Pick<Dissemination, 'id' | 'queuedAt' | 'createdAt' | 'assessmentId' | 'threatLevelChangeId' | 'agencyId'>[] = await this.ds
      .getRepository(Dissemination)
      .createQueryBuilder('d')
      .select(['d.id', 'd.queuedAt', 'd.createdAt', 'd.assessmentId', 'd.threatLevelChangeId', 'd.agencyId'])
      .where(`d.status = 'QUEUED'`)
      .andWhere(after ? '(d.createdAt, d.id) > (:at, :id)' : 'true', after ? { at: after.createdAt, id: after.id } : {})
      .orderBy('d.createdAt', 'ASC')
      .addOrderBy('d.id', 'ASC')
      .limit(SWEEP_BATCH)
      .getMany();
    // The cursor moves on only once this page is handled (an error leaves it for the next sweep).
    const next = queued.length === SWEEP_BATCH ? queued[queued.length - 1] : null;
    const jobs = await Promise.all(queued.map((d) => this.queue.getJob(d.id)));
    const failed = await Promise.all(jobs.map((job) => (job ? job.isFailed() : Promise.resolve(false))));
    const requeue: { d: (typeof queued)[number]; reason: string }[] = [];
    for (const [i, d] of queued.entries()) {
      const job = jobs[i];
      if (job && !failed[i]) continue;
      if (job && d.queuedAt && (job.finishedOn ?? 0) >= d.queuedAt.getTime()) {
        // The job failed for good since it was queued (e.g. it crashed workers too often): the
        // dissemination is FAILED, not retried for ever; a redrive queues it again.
        await this.markFailed(d, job.failedReason || 'job failed');
        continue;
      }
      if (job) {
        // A failed job from before a redrive made while Redis was down: replace it.
        await job.remove();
        requeue.push({ d, reason: 'redriven while the queue was unavailable: its earlier, failed job was replaced' });
      } else {
        requeue.push({ d, reason: 'no job in the queue (Redis lost it or was down)' });
      }
    }
    if (requeue.length > 0) {
      await this.queue.addBulk(requeue.map(({ d }) => ({ name: 'deliver' as const, data: { disseminationId: d.id }, opts: deliveryJobOptions(this.config, d.id) })));
      await this.audit.recordMany(
        RELAY_CTX,
        requeue.map(({ d, reason }) => ({ ...auditTrail(d), action: 'dissemination.requeue', outcome: 'ALLOWED' as const, reason })),
      );
    }
    this.recoverAfter = next;
    return requeue.length;
  }

  private async markFailed(d: Pick<Dissemination, 'id' | 'assessmentId' | 'threatLevelChangeId' | 'agencyId'>, reason: string): Promise<void> {
    await this.ds.transaction(async (m) => {
      const res = await m.update(Dissemination, { id: d.id, status: 'QUEUED' }, { status: 'FAILED', failedAt: new Date(), lastError: reason });
      if (res.affected) {
        await this.audit.record(RELAY_CTX, { ...auditTrail(d), action: 'dissemination.fail', outcome: 'FAILED', reason }, m);
      }
    });
  }

  /** A sweep failed: Redis (or PostgreSQL) is unavailable. Logged once per outage; the next sweep retries. */
  private sweepFailed(err: unknown): void {
    if (!this.downSince) {
      this.downSince = Date.now();
      this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'relay sweep failed (queue or database unavailable); disseminations stay in the outbox until the next sweep');
    }
  }
}
