/**
 * The fault tests' clients and checker: intake clients that record every Idempotency-Key and every
 * response, a prober that records what each route answers in each phase of a fault, and the
 * reconciliation of both (and of the webhook receiver) with PostgreSQL and the audit chain.
 */
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { Webhook } from 'standardwebhooks';
import type { WebhookReceiver } from '../../test/support/webhook-receiver';
import { USER_PASSWORD } from './config';
import { errText, type Recipient, WEBHOOK_SECRET, type World } from './faults-infra';
import { reportBody } from '../../test/support/report-body';
import { sleep } from './stats';

// ------------------------------------------------------------------------------------------ HTTP

export interface Answer {
  /** null: no HTTP answer (connection refused or reset, or the attempt's timeout). */
  status: number | null;
  error: string | null;
  replayed: boolean;
  ms: number;
  body: unknown;
  requestId: string | null;
}

/** One request; never throws: a network error or a timeout is an answer with status null. */
export async function request(base: string, method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string>; timeoutMs: number }): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const t0 = performance.now();
  try {
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return {
      status: res.status,
      error: null,
      replayed: res.headers.get('idempotent-replayed') === 'true',
      ms: performance.now() - t0,
      body,
      requestId: res.headers.get('x-request-id'),
    };
  } catch (e) {
    const err = e as { name?: string; cause?: { code?: string } };
    const error = err.name === 'TimeoutError' ? 'timeout' : (err.cause?.code ?? errText(e));
    return { status: null, error, replayed: false, ms: performance.now() - t0, body: null, requestId: null };
  }
}

const messageOf = (body: unknown): string => {
  if (body && typeof body === 'object' && 'message' in body) return String(body.message);
  return typeof body === 'string' ? body.slice(0, 200) : JSON.stringify(body)?.slice(0, 200) ?? '';
};

// ---------------------------------------------------------------------------------- observations

/** Every answer by phase, route and status, and the full record of every 500. */
export class Observations {
  phase = 'before';
  /** phase → route → status (or the network error) → count */
  readonly table = new Map<string, Map<string, Map<string, number>>>();
  readonly fiveHundreds: { phase: string; route: string; requestId: string | null; message: string }[] = [];

  note(route: string, a: Answer): void {
    const byRoute = this.table.get(this.phase) ?? new Map<string, Map<string, number>>();
    this.table.set(this.phase, byRoute);
    const byStatus = byRoute.get(route) ?? new Map<string, number>();
    byRoute.set(route, byStatus);
    const key = a.status === null ? `no answer (${a.error})` : String(a.status);
    byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
    if (a.status !== null && a.status >= 500 && a.status !== 503) {
      this.fiveHundreds.push({ phase: this.phase, route, requestId: a.requestId, message: messageOf(a.body) });
    }
  }

  count(pred: (phase: string, route: string, status: string) => boolean): number {
    let n = 0;
    for (const [phase, byRoute] of this.table) for (const [route, byStatus] of byRoute) for (const [status, c] of byStatus) if (pred(phase, route, status)) n += c;
    return n;
  }

  /** "phase: route status×n, …" lines, for RESULTS.md. */
  describe(): string[] {
    const out: string[] = [];
    for (const [phase, byRoute] of this.table) {
      const parts = [...byRoute].map(([route, byStatus]) => `${route} ${[...byStatus].map(([s, c]) => `${s}×${c}`).join(' ')}`);
      out.push(`${phase}: ${parts.join('; ')}`);
    }
    return out;
  }
}

// --------------------------------------------------------------------------------------- intake

export interface KeyRecord {
  key: string;
  title: string;
  attempts: { phase: string; status: number | null; error: string | null; replayed: boolean }[];
  ackedId: string | null;
  ackedAt: number | null;
  /** A status that is neither success nor worth retrying (e.g. 400, 422): the key is given up. */
  rejected: string | null;
}

const REPORT = reportBody({
  narrative: 'Fault-test report: a buyer paid cash for large quantities of hydrogen peroxide.',
  sourceDescription: 'Store manager',
  suspicionBasis: 'Quantities far above any domestic use, paid in cash.',
});

/**
 * `clients` concurrent loops, each posting one new report after another. A report is retried with
 * the same key and the same body on no answer, a timeout, 5xx, 401, 409 or 429, until it is
 * acknowledged (201). Every attempt and answer is recorded.
 */
export class IntakeClients {
  readonly keys: KeyRecord[] = [];
  private stopping = false;
  private deadline = Number.POSITIVE_INFINITY;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly w: World,
    private readonly obs: Observations,
    private readonly opts: { clients: number; attemptTimeoutMs: number; retryDelayMs: number; signal: AbortSignal },
  ) {}

  start(): void {
    this.loops = Array.from({ length: this.opts.clients }, (_, c) => this.loop(c));
  }

  get acknowledged(): number {
    return this.keys.filter((k) => k.ackedId).length;
  }

  /** Acknowledged after `t` (ms since the epoch). */
  acknowledgedSince(t: number): number {
    return this.keys.filter((k) => k.ackedAt !== null && k.ackedAt >= t).length;
  }

  /** No new reports from now on; reports in progress keep retrying until acknowledged or `drainMs` passes. */
  async finish(drainMs: number): Promise<void> {
    this.stopping = true;
    this.deadline = Date.now() + drainMs;
    await Promise.all(this.loops);
  }

  private async loop(c: number): Promise<void> {
    for (let n = 0; !this.stopping && !this.opts.signal.aborted; n++) {
      const key = `${this.w.tag}-${c}-${n}-${randomBytes(4).toString('hex')}`;
      const rec: KeyRecord = { key, title: `Fault intake ${key}`, attempts: [], ackedId: null, ackedAt: null, rejected: null };
      this.keys.push(rec);
      const body = { ...REPORT, title: rec.title };
      while (!rec.ackedId && !rec.rejected && !this.opts.signal.aborted && Date.now() < this.deadline) {
        const a = await request(this.w.base, 'POST', '/api/v1/reports', {
          token: this.w.tokens.officer,
          body,
          headers: { 'idempotency-key': key },
          timeoutMs: this.opts.attemptTimeoutMs,
        });
        this.obs.note('POST /api/v1/reports', a);
        rec.attempts.push({ phase: this.obs.phase, status: a.status, error: a.error, replayed: a.replayed });
        if (a.status === 201) {
          rec.ackedId = (a.body as { id: string }).id;
          rec.ackedAt = Date.now();
        } else if (a.status === null || a.status >= 500 || a.status === 401 || a.status === 409 || a.status === 429) {
          // 401 too: the token is valid for a day, so a 401 here is the API's error, not the client's.
          await sleep(this.opts.retryDelayMs);
        } else {
          rec.rejected = `${a.status} ${messageOf(a.body)}`;
          await sleep(this.opts.retryDelayMs);
        }
      }
    }
  }
}

/** Asks a few routes every `everyMs` (one at a time) and records each answer under the current phase. */
export class Prober {
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  /** Last answer of GET /health. */
  lastHealth: number | null = null;

  constructor(
    private readonly w: World,
    private readonly obs: Observations,
    private readonly everyMs: number,
  ) {}

  start(): void {
    this.running = true;
    this.loop = (async () => {
      for (let tick = 0; this.running; tick++) {
        const h = await request(this.w.base, 'GET', '/health', { timeoutMs: 5000 });
        this.lastHealth = h.status;
        this.obs.note('GET /health', h);
        this.obs.note('GET /api/v1/auth/me', await request(this.w.base, 'GET', '/api/v1/auth/me', { token: this.w.tokens.officer, timeoutMs: 5000 }));
        this.obs.note('GET /api/v1/reports', await request(this.w.base, 'GET', '/api/v1/reports?limit=5', { token: this.w.tokens.officer, timeoutMs: 5000 }));
        if (tick % 4 === 0) {
          // A correct password (successful logins are never throttled).
          const login = await request(this.w.base, 'POST', '/api/v1/auth/login', { body: { username: 'auditor', password: USER_PASSWORD }, timeoutMs: 5000 });
          this.obs.note('POST /api/v1/auth/login', login);
        }
        await sleep(this.everyMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

// ------------------------------------------------------------------------------------------ check

export interface IntakeCheck {
  keys: number;
  acknowledged: number;
  unacknowledged: number;
  rejected: string[];
  attempts: number;
  retried: number;
  replays: number;
  rows: number;
  lost: number;
  duplicated: number;
  /** Unacknowledged keys whose report exists once (in flight when the client gave up). */
  inFlightRows: number;
  /** Reports whose title matches no key: made by nobody the clients know. */
  orphans: number;
  /** Acknowledged keys whose idempotency_key row is missing, not 201, or names another report. */
  idempotencyMismatches: number;
  /** Reports with other than exactly one `report.create` ALLOWED audit event (checked after verify flushed the chain). */
  auditMismatches: number;
}

export async function checkIntake(db: Pool, officerId: string, keys: KeyRecord[]): Promise<IntakeCheck> {
  const rows = (await db.query<{ title: string; ids: string[] }>('SELECT title, array_agg(id::text) AS ids FROM report WHERE created_by = $1 GROUP BY title', [officerId])).rows;
  const byTitle = new Map(rows.map((r) => [r.title, r.ids]));
  const idem = new Map(
    (
      await db.query<{ key: string; status_code: number | null; id: string | null }>(
        "SELECT key, status_code, response->>'id' AS id FROM idempotency_key WHERE user_id = $1",
        [officerId],
      )
    ).rows.map((r) => [r.key, r]),
  );
  const audits = new Map(
    (
      await db.query<{ resource_id: string; n: number }>(
        "SELECT resource_id, count(*)::int AS n FROM audit_event WHERE action = 'report.create' AND outcome = 'ALLOWED' AND actor_id = $1 GROUP BY resource_id",
        [officerId],
      )
    ).rows.map((r) => [r.resource_id, r.n]),
  );
  const titles = new Set(keys.map((k) => k.title));
  let lost = 0;
  let duplicated = 0;
  let inFlightRows = 0;
  let idempotencyMismatches = 0;
  for (const k of keys) {
    const ids = byTitle.get(k.title) ?? [];
    duplicated += Math.max(0, ids.length - 1);
    if (k.ackedId) {
      if (!ids.includes(k.ackedId)) lost += 1;
      const rec = idem.get(k.key);
      if (!rec || rec.status_code !== 201 || rec.id !== k.ackedId) idempotencyMismatches += 1;
    } else if (ids.length === 1) {
      inFlightRows += 1;
    }
  }
  const allIds = rows.flatMap((r) => r.ids);
  return {
    keys: keys.length,
    acknowledged: keys.filter((k) => k.ackedId).length,
    unacknowledged: keys.filter((k) => !k.ackedId).length,
    rejected: keys.filter((k) => k.rejected).map((k) => `${k.key}: ${k.rejected}`),
    attempts: keys.reduce((s, k) => s + k.attempts.length, 0),
    retried: keys.filter((k) => k.attempts.length > 1).length,
    replays: keys.reduce((s, k) => s + k.attempts.filter((a) => a.replayed).length, 0),
    rows: allIds.length,
    lost,
    duplicated,
    inFlightRows,
    orphans: rows.filter((r) => !titles.has(r.title)).reduce((s, r) => s + r.ids.length, 0),
    idempotencyMismatches,
    auditMismatches: allIds.filter((id) => audits.get(id) !== 1).length,
  };
}

export interface DisseminationCheck {
  expected: number;
  rows: number;
  delivered: number;
  notDelivered: string[];
  inboxItems: number;
  inboxMissing: number;
  inboxExtra: number;
  webhookPairs: number;
  webhookPosts: number;
  webhookMissing: number;
  /** POSTs repeating an (assessment, agency) already POSTed, with the same webhook-id. */
  webhookRepeatsSameId: number;
  /** Extra distinct webhook-ids for one (assessment, agency), or an id that is not the dissemination id. */
  webhookIdMismatches: number;
  badSignatures: number;
  /** Distinct (assessment, agency) pairs lost: no row, not delivered, no inbox item, or (webhook) never POSTed. */
  lost: number;
  duplicated: number;
  attemptsMax: number;
}

/** Reconciles the disseminations of `assessmentIds` with the inbox and with what the receiver got. */
export async function checkDissemination(db: Pool, assessmentIds: string[], recipients: Recipient[], receiver: WebhookReceiver): Promise<DisseminationCheck> {
  const rows = (
    await db.query<{ id: string; assessment_id: string; agency_id: string; agency_code: string; status: string; attempts: number; inbox: number }>(
      `SELECT d.id, d.assessment_id, d.agency_id, d.agency_code, d.status, d.attempts,
              (SELECT count(*)::int FROM inbox_item i WHERE i.assessment_id = d.assessment_id AND i.agency_id = d.agency_id) AS inbox
         FROM dissemination d WHERE d.assessment_id = ANY($1::uuid[])`,
      [assessmentIds],
    )
  ).rows;
  const inboxItems = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM inbox_item WHERE assessment_id = ANY($1::uuid[])', [assessmentIds])).rows[0].n;
  const wh = new Webhook(WEBHOOK_SECRET);
  const wanted = new Set(assessmentIds);
  /** (assessment, agency code) → webhook-id → POSTs */
  const posts = new Map<string, Map<string, number>>();
  let badSignatures = 0;
  let webhookPosts = 0;
  for (const p of receiver.received) {
    const code = /^\/hook\/([A-Z0-9_-]+)$/.exec(p.path)?.[1];
    if (!code) continue;
    let assessmentId: string;
    try {
      const payload = wh.verify(p.body, p.headers as Record<string, string>) as { id?: string; assessmentId?: string };
      assessmentId = payload.assessmentId ?? '';
      if (payload.id !== p.headers['webhook-id']) badSignatures += 1;
    } catch {
      badSignatures += 1;
      assessmentId = ((JSON.parse(p.body) as { assessmentId?: string } | null) ?? {}).assessmentId ?? '';
    }
    if (!wanted.has(assessmentId)) continue;
    webhookPosts += 1;
    const key = `${assessmentId}|${code}`;
    const entry = posts.get(key) ?? new Map<string, number>();
    const id = String(p.headers['webhook-id']);
    entry.set(id, (entry.get(id) ?? 0) + 1);
    posts.set(key, entry);
  }
  const hookCodes = new Set(recipients.filter((r) => r.hook).map((r) => r.code));
  const byPair = new Map(rows.map((r) => [`${r.assessment_id}|${r.agency_code}`, r]));
  let lost = 0;
  let webhookMissing = 0;
  let webhookIdMismatches = 0;
  let webhookRepeatsSameId = 0;
  const notDelivered: string[] = [];
  for (const a of assessmentIds) {
    for (const r of recipients) {
      const d = byPair.get(`${a}|${r.code}`);
      const p = posts.get(`${a}|${r.code}`);
      let isLost = !d || !['DELIVERED', 'ACKNOWLEDGED'].includes(d.status) || d.inbox === 0;
      if (d && !['DELIVERED', 'ACKNOWLEDGED'].includes(d.status)) notDelivered.push(`${d.id} (${r.code}) ${d.status}`);
      if (hookCodes.has(r.code)) {
        if (!p) {
          webhookMissing += 1;
          isLost = true;
        } else {
          webhookIdMismatches += [...p.keys()].filter((id) => id !== d?.id).length;
          webhookRepeatsSameId += Math.max(0, (p.get(d?.id ?? '') ?? 0) - 1);
        }
      }
      if (isLost) lost += 1;
    }
  }
  const inboxExtra = rows.reduce((s, r) => s + Math.max(0, r.inbox - 1), 0);
  return {
    expected: assessmentIds.length * recipients.length,
    rows: rows.length,
    delivered: rows.filter((r) => ['DELIVERED', 'ACKNOWLEDGED'].includes(r.status)).length,
    notDelivered,
    inboxItems,
    inboxMissing: assessmentIds.length * recipients.length - rows.filter((r) => r.inbox > 0).length,
    inboxExtra,
    webhookPairs: assessmentIds.length * hookCodes.size,
    webhookPosts,
    webhookMissing,
    webhookRepeatsSameId,
    webhookIdMismatches,
    badSignatures,
    lost,
    duplicated: inboxExtra + webhookIdMismatches,
    attemptsMax: rows.reduce((m, r) => Math.max(m, r.attempts), 0),
  };
}

/** GET /api/v1/audit-events/verify as the AUDITOR (it chains what is pending first). */
export async function verifyAuditChain(w: World): Promise<{ valid: boolean; checked: number; detail: string }> {
  const a = await request(w.base, 'GET', '/api/v1/audit-events/verify', { token: w.tokens.auditor, timeoutMs: 120_000 });
  if (a.status !== 200) return { valid: false, checked: 0, detail: `verify answered ${a.status ?? a.error}: ${messageOf(a.body)}` };
  const b = a.body as { valid: boolean; checked: number; brokenAtSeq?: number };
  return { valid: b.valid === true, checked: b.checked, detail: b.valid ? 'valid' : `broken at seq ${b.brokenAtSeq}` };
}
