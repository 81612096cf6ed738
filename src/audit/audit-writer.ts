import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { RequestContext } from '../access/request-context';
import { preparedQuery } from '../common/prepared';
import { AuditChainer } from './audit-chainer';
import type { AuditOutcome } from './audit-event.entity';

export interface AuditInput {
  action: string;
  outcome: AuditOutcome;
  resourceType?: string | null;
  resourceId?: string | null;
  resourceIds?: string[];
  reason?: string | null;
  details?: Record<string, unknown> | null;
  /** Overrides for events without a signed-in caller (e.g. a failed login names the account tried). */
  actorId?: string | null;
  agencyId?: string | null;
}

/** An event as an audit_pending row (the columns the chain hashes, but seq and hashes). */
function pendingRow(ctx: RequestContext, i: AuditInput, at: Date) {
  return {
    at,
    actorId: i.actorId !== undefined ? i.actorId : (ctx.principal?.id ?? null),
    agencyId: i.agencyId !== undefined ? i.agencyId : (ctx.principal?.agencyId ?? null),
    action: i.action,
    resourceType: i.resourceType ?? null,
    resourceId: i.resourceId ?? null,
    resourceIds: i.resourceIds ?? [],
    outcome: i.outcome,
    reason: i.reason ?? null,
    requestId: ctx.requestId,
    clientRequestId: ctx.clientRequestId ?? null,
    details: i.details ?? null,
  };
}

/** The columns of a `pendingRow` as a JSON record, and the INSERT that takes them (in the chain's order). */
const PENDING_RECORD = `at timestamptz, "actorId" uuid, "agencyId" uuid, action text, "resourceType" text, "resourceId" text,
                "resourceIds" text[], outcome text, reason text, "requestId" text, "clientRequestId" text, details jsonb`;
const PENDING_INSERT = `INSERT INTO audit_pending (at, actor_id, agency_id, action, resource_type, resource_id, resource_ids, outcome, reason, request_id, client_request_id, details)
   SELECT at, "actorId", "agencyId", action, "resourceType", "resourceId", "resourceIds", outcome, reason, "requestId", "clientRequestId", details`;

/** Events as audit_pending rows, from a JSON array of `pendingRow`s, in the array's order (the chain order). */
const INSERT_PENDING = `${PENDING_INSERT}
     FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (${PENDING_RECORD})) WITH ORDINALITY AS e
    ORDER BY e.ordinality`;

/**
 * Writes audit events: the one way into the log. An event goes into `audit_pending`, inside the
 * caller's transaction when it passes its EntityManager, so the event commits (or rolls back) with
 * the change it records; requests never wait on the chain. After a write it nudges the chainer.
 * Set-based statements that write their own events ({@link AuditedStatement}, {@link insertGatedEvents})
 * call `chainSoon()` once they commit.
 */
@Injectable()
export class AuditWriter {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly chainer: AuditChainer,
  ) {}

  /** Writes an audit event (into the caller's transaction when `manager` is given). */
  async record(ctx: RequestContext, input: AuditInput, manager?: EntityManager): Promise<void> {
    await this.recordMany(ctx, [input], manager);
  }

  async recordMany(ctx: RequestContext, inputs: AuditInput[], manager?: EntityManager): Promise<void> {
    if (inputs.length === 0) return;
    const at = new Date();
    // One parameter, one statement, whatever the count: the rows as a JSON array, in order (the pending
    // id, and so the chain order, follows it). No query builder: this runs on every audited request.
    const params = [JSON.stringify(inputs.map((i) => pendingRow(ctx, i, at)))];
    // In the caller's transaction when it gives one; otherwise a prepared autocommit (every read's audit).
    if (manager) await manager.query(INSERT_PENDING, params);
    else await preparedQuery(this.ds, INSERT_PENDING, params);
    this.chainSoon();
  }

  /** Events were written (by a statement of the caller's own): asks the chainer to run shortly. */
  chainSoon(): void {
    this.chainer.soon();
  }
}

/**
 * An event of a set-based statement that writes many rows at once: it records the write of the row
 * `forId`, and when `ifWritten` it is inserted only if the statement did write that row.
 */
export interface GatedAuditInput {
  forId: string;
  ifWritten: boolean;
  input: AuditInput;
}

/** The JSON parameter for {@link insertGatedEvents}: the events in the order they are to chain. */
export function gatedEventsParam(ctx: RequestContext, events: GatedAuditInput[]): string {
  const at = new Date();
  return JSON.stringify(events.map((e) => ({ ...pendingRow(ctx, e.input, at), forId: e.forId, ifWritten: e.ifWritten })));
}

/**
 * A data-modifying CTE body that inserts the events of `param` (a {@link gatedEventsParam}) into
 * audit_pending in their order, leaving out those `ifWritten` whose `forId` is not an `id` of the CTE
 * `written` — so the log records exactly the writes that happened, in the same commit.
 */
export function insertGatedEvents(param: string, written: string): string {
  return `${PENDING_INSERT}
     FROM ROWS FROM (jsonb_to_recordset(${param}::jsonb) AS (${PENDING_RECORD}, "forId" uuid, "ifWritten" boolean)) WITH ORDINALITY AS e
    WHERE NOT e."ifWritten" OR e."forId" IN (SELECT id FROM ${written})
    ORDER BY e.ordinality`;
}

/**
 * One SQL statement under construction that writes audit events itself (report intake, delivery):
 * its typed parameters (`param`) and its events as `INSERT INTO audit_pending … SELECT … FROM <source>`
 * (`audit`), so an event is written only when `source` returns a row, in the statement's own
 * transaction. After it commits, call `AuditWriter.chainSoon()`.
 */
export class AuditedStatement {
  constructor(
    private readonly ctx: RequestContext,
    readonly params: unknown[] = [],
  ) {}

  /** `$n::type` for a new parameter. */
  param(value: unknown, type: string): string {
    return `$${this.params.push(value)}::${type}`;
  }

  /**
   * The event's INSERT, one row per row of `source`. `resourceIdsSql`, when given, is an SQL
   * expression (text[]) for resource_ids in place of `input.resourceIds`: ids the statement itself finds.
   */
  audit(input: AuditInput, source: string, resourceIdsSql?: string): string {
    const row = pendingRow(this.ctx, input, new Date());
    const cols: [string, string][] = [
      ['at', this.param(row.at, 'timestamptz')],
      ['actor_id', this.param(row.actorId, 'uuid')],
      ['agency_id', this.param(row.agencyId, 'uuid')],
      ['action', this.param(row.action, 'text')],
      ['resource_type', this.param(row.resourceType, 'text')],
      ['resource_id', this.param(row.resourceId, 'text')],
      ['resource_ids', resourceIdsSql ?? this.param(row.resourceIds, 'text[]')],
      ['outcome', this.param(row.outcome, 'text')],
      ['reason', this.param(row.reason, 'text')],
      ['request_id', this.param(row.requestId, 'text')],
      ['client_request_id', this.param(row.clientRequestId, 'text')],
      ['details', this.param(row.details === null ? null : JSON.stringify(row.details), 'jsonb')],
    ];
    return `INSERT INTO audit_pending (${cols.map(([c]) => `"${c}"`).join(', ')}) SELECT ${cols.map(([, v]) => v).join(', ')} FROM ${source}`;
  }
}
