// Over 300 lines: the chain's tamper cases share one database of their own and build on each other's state.
import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplicationContext } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { createHash, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { QueryRunner } from 'typeorm';
import { AuditAnchorService } from '../src/audit/audit-anchor.service';
import { ANCHOR_SCHEDULER } from '../src/audit/audit-anchor.processor';
import { atTextSql, canonicalJson, chainHash, type ChainedFields, GENESIS_HASH } from '../src/audit/canonical';
import { AUDIT_ANCHOR_QUEUE } from '../src/common/queues';
import { TestApp } from './support/test-app';
import { createMigratedDatabase, dropDatabase } from './support/test-database';
import { type Actor, Fixtures } from './support/agencies-and-users';
import { reportBody } from './support/report-body';
import { WorkerProcess } from './support/child-processes';
import { WebhookReceiver } from './support/webhook-receiver';
import { waitFor } from './support/wait-for';
import { startWorkerWith } from './support/in-process-worker';

/** The chainer's advisory-lock key (audit.service.ts): holding it, as an attacker might, stops the chainer. */
const CHAIN_LOCK = 0x46_55_53_41;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Receipt {
  seq: number;
  hash: string;
  at: string;
  keyId: string;
  signature: string;
}

/** The columns the chain hashes, as ChainedFields (what a superuser rewriting the chain would recompute). */
const HASHED = `seq, at, ${atTextSql('at')} AS "atText", actor_id AS "actorId", agency_id AS "agencyId", action, resource_type AS "resourceType",
  resource_id AS "resourceId", resource_ids AS "resourceIds", outcome, reason, request_id AS "requestId", client_request_id AS "clientRequestId", details, canon`;

/**
 * Pending-row immutability, microseconds in the hash, signed head receipts and anchoring, and system-made
 * request ids. Tampering runs on a database of its own (superuser, triggers bypassed where said), so the
 * shared log of the other suites stays intact. The database starts with three events chained by the
 * old (v1) canonical form, as a deployed database has, and the log goes on in v2.
 */
describe('audit chain: append-only pending rows, µs timestamps, signed head receipts, request ids', () => {
  const dbName = `fusion_auditchain_${Date.now()}_${process.pid}`;
  let t: TestApp;
  let fx: Fixtures;
  let auditor: Actor;
  let officer: Actor;

  /** Runs `fn` on a connection of its own, with triggers bypassed (a superuser's power). */
  async function asSuperuser<T>(fn: (q: QueryRunner) => Promise<T>, opts: { bypassTriggers?: boolean; holdChainLock?: boolean } = {}): Promise<T> {
    const runner = t.ds.createQueryRunner();
    await runner.connect();
    try {
      if (opts.holdChainLock) await runner.query('SELECT pg_advisory_lock($1)', [CHAIN_LOCK]);
      if (opts.bypassTriggers) await runner.query(`SET session_replication_role = replica`);
      return await fn(runner);
    } finally {
      await runner.query(`SET session_replication_role = origin`);
      if (opts.holdChainLock) await runner.query('SELECT pg_advisory_unlock($1)', [CHAIN_LOCK]);
      await runner.release();
    }
  }

  const head = async (): Promise<Receipt> => {
    const res = await t.get<Receipt>('/api/v1/audit-events/head', { token: auditor.token });
    expect(res.status).toBe(200);
    return res.body;
  };
  const checkReceipt = (r: unknown) => t.post('/api/v1/audit-events/verify-receipt', { token: auditor.token, body: r });
  const verifyChain = async () => (await t.get('/api/v1/audit-events/verify', { token: auditor.token })).body;

  beforeAll(async () => {
    const url = await createMigratedDatabase(dbName);
    // Three events chained before the v2 migration (canon 1: `at` to the millisecond, no clientRequestId).
    const { Client } = await import('pg');
    const pg = new Client({ connectionString: url });
    await pg.connect();
    let prev = GENESIS_HASH;
    for (let seq = 1; seq <= 3; seq++) {
      const e = { seq: String(seq), at: new Date(Date.UTC(2026, 10, 1, 9, 0, seq, 250)), actorId: null, agencyId: null, action: 'system.legacy', resourceType: null, resourceId: null, resourceIds: [], outcome: 'ALLOWED', reason: `v1 event ${seq}`, requestId: `(legacy)`, details: { n: seq } };
      const hash = chainHash(prev, e);
      await pg.query(
        `INSERT INTO audit_event (seq, at, action, resource_ids, outcome, reason, request_id, details, prev_hash, hash) VALUES ($1, $2, $3, '{}', $4, $5, $6, $7, $8, $9)`,
        [e.seq, e.at, e.action, e.outcome, e.reason, e.requestId, JSON.stringify(e.details), prev, hash],
      );
      prev = hash;
    }
    await pg.end();
    process.env.DATABASE_URL = url;
    t = await TestApp.start();
    fx = new Fixtures(t);
    auditor = await fx.user(await fx.fusionCell(), ['AUDITOR'], 'UNCLASSIFIED');
    officer = await fx.user(await fx.agency('POLICE'), ['OFFICER'], 'SECRET');
    await t.post('/api/v1/reports', { token: officer.token, body: reportBody() });
    await t.audit.flush();
  });
  afterAll(async () => {
    await t?.close();
    await dropDatabase(dbName);
  });

  it('verifies a log that began under the v1 canonical form and goes on in v2; a v1 event after v2 ones breaks it', async () => {
    const events = (await t.get('/api/v1/audit-events', { token: auditor.token, query: { limit: '10' } })).body.items;
    expect(events.slice(0, 4).map((e: { seq: number; canon: number }) => [e.seq, e.canon])).toEqual([[1, 1], [2, 1], [3, 1], [4, 2]]);
    // `at` exactly as stored, to the microsecond.
    expect(events[3].at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(await verifyChain()).toMatchObject({ valid: true });

    // A v2 event re-hashed as v1 (which would not cover its microseconds), the chain re-hashed after it:
    // the hashes agree, the downgrade does not pass.
    const setCanon = (canon: number) =>
      asSuperuser(
        async (q) => {
          const rows = await q.query(`SELECT ${HASHED}, prev_hash AS "prevHash", hash FROM audit_event WHERE seq >= 5 ORDER BY seq`);
          await rewriteFrom(q, rows, 5, (e) => (e.seq === '5' ? { ...e, canon } : e));
        },
        { bypassTriggers: true, holdChainLock: true },
      );
    await setCanon(1);
    expect(await verifyChain()).toMatchObject({ valid: false, brokenAtSeq: 5 });
    await setCanon(2);
    expect(await verifyChain()).toMatchObject({ valid: true });
  });

  it('hashes `at` to the microsecond: moving it by 900 µs breaks the chain there', async () => {
    await asSuperuser(
      async (q) => {
        const [{ seq }] = await q.query(`SELECT max(seq)::int - 2 AS seq FROM audit_event`);
        await q.query(`UPDATE audit_event SET at = at + interval '900 microseconds' WHERE seq = $1`, [seq]);
        expect(await verifyChain()).toMatchObject({ valid: false, brokenAtSeq: seq });
        await q.query(`UPDATE audit_event SET at = at - interval '900 microseconds' WHERE seq = $1`, [seq]);
      },
      { bypassTriggers: true },
    );
    expect(await verifyChain()).toMatchObject({ valid: true });
  });

  it('refuses to update a pending event, to delete one not yet chained (even with a forged chained copy), or to truncate them; chains it unchanged', async () => {
    const chained = await asSuperuser(
      async (q) => {
        const [{ id }] = await q.query(
          `INSERT INTO audit_pending (at, action, outcome, reason, request_id) VALUES (now(), 'system.genuine', 'ALLOWED', 'the genuine reason', '(test)') RETURNING id`,
        );
        await expect(q.query(`UPDATE audit_pending SET reason = 'rewritten' WHERE id = $1`, [id])).rejects.toThrow(/audit_pending is append-only: UPDATE refused/);
        await expect(q.query(`DELETE FROM audit_pending WHERE id = $1`, [id])).rejects.toThrow(/not chained; DELETE refused/);
        await expect(q.query(`TRUNCATE audit_pending`)).rejects.toThrow(/append-only: TRUNCATE refused/);
        // Whoever holds the chainer's lock chains a rewritten copy under the pending row's id: the row still stays.
        await q.startTransaction();
        try {
          const [top] = await q.query(`SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1`);
          await q.query(
            `INSERT INTO audit_event (seq, at, action, outcome, reason, request_id, prev_hash, hash, canon, pending_id)
             SELECT $1, at, action, outcome, 'rewritten', request_id, $2, $3, 2, id FROM audit_pending WHERE id = $4`,
            [String(Number(top.seq) + 1), top.hash, 'f'.repeat(64), id],
          );
          await expect(q.query(`DELETE FROM audit_pending WHERE id = $1`, [id])).rejects.toThrow(/not chained; DELETE refused/);
        } finally {
          await q.rollbackTransaction();
        }
        return id as string;
      },
      { holdChainLock: true },
    );
    await t.audit.flush();
    expect(await t.ds.query(`SELECT id FROM audit_pending WHERE id = $1`, [chained])).toEqual([]);
    const [event] = await t.ds.query(`SELECT reason, pending_id AS "pendingId" FROM audit_event WHERE action = 'system.genuine'`);
    expect(event).toEqual({ reason: 'the genuine reason', pendingId: chained });
    expect(await verifyChain()).toMatchObject({ valid: true });
  });

  it('signs head receipts with Ed25519: the published key verifies them with Node crypto, keyId is SHA-256 of the raw key', async () => {
    const receipt = await head();
    expect(Object.keys(receipt).sort()).toEqual(['at', 'hash', 'keyId', 'seq', 'signature']);
    const keys = await t.get('/api/v1/audit-events/keys'); // public: a witness needs no account
    expect(keys.status).toBe(200);
    const key = keys.body.find((k: { keyId: string }) => k.keyId === receipt.keyId);
    expect(key).toMatchObject({ algorithm: 'Ed25519', current: true });
    const raw = Buffer.from(key.publicKey, 'base64');
    expect(raw).toHaveLength(32);
    expect(createHash('sha256').update(raw).digest('hex').slice(0, 16)).toBe(receipt.keyId);
    const message = Buffer.from(canonicalJson({ seq: receipt.seq, hash: receipt.hash, at: receipt.at, keyId: receipt.keyId }));
    expect(verify(null, message, key.publicKeyPem, Buffer.from(receipt.signature, 'base64'))).toBe(true);
    const fromRaw = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
    expect(verify(null, message, fromRaw, Buffer.from(receipt.signature, 'base64'))).toBe(true);
    // The head is the chain's: its event holds that hash, and the receipt's request is itself in the log.
    const [row] = await t.ds.query(`SELECT hash, action FROM audit_event WHERE seq = $1`, [receipt.seq]);
    expect(row).toEqual({ hash: receipt.hash, action: 'audit.head' });
    expect(await checkReceipt(receipt)).toMatchObject({ status: 200, body: { valid: true, problem: null } });
    await t.audit.flush();
    const checks = await t.get('/api/v1/audit-events', { token: auditor.token, query: { action: 'audit.verify_receipt', actorId: auditor.id } });
    expect(checks.body.items.at(-1).details).toMatchObject({ receipt: { seq: receipt.seq, hash: receipt.hash }, valid: true });
  });

  it('refuses forged or altered receipts, and malformed ones with 400 naming the field', async () => {
    const receipt = await head();
    for (const altered of [{ seq: receipt.seq - 1 }, { hash: 'a'.repeat(64) }, { at: new Date(Date.parse(receipt.at) + 1000).toISOString() }]) {
      expect((await checkReceipt({ ...receipt, ...altered })).body).toEqual({ valid: false, problem: 'BAD_SIGNATURE' });
    }
    // Signed by a key of the attacker's, under our keyId or its own.
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const attackerRaw = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url');
    for (const keyId of [receipt.keyId, createHash('sha256').update(attackerRaw).digest('hex').slice(0, 16)]) {
      const forged = { seq: receipt.seq, hash: receipt.hash, at: receipt.at, keyId };
      const signature = sign(null, Buffer.from(canonicalJson(forged)), privateKey).toString('base64');
      expect((await checkReceipt({ ...forged, signature })).body.problem).toBe(keyId === receipt.keyId ? 'BAD_SIGNATURE' : 'UNKNOWN_KEY');
    }
    for (const [field, value] of [['seq', -1], ['seq', '1'], ['hash', 'xyz'], ['keyId', 'ABC'], ['signature', 'c2ln'], ['at', 'yesterday']] as const) {
      const res = await checkReceipt({ ...receipt, [field]: value });
      expect([field, res.status, res.body.code, res.body.fields]).toEqual([field, 400, 'VALIDATION', [field]]);
    }
    expect(await t.post('/api/v1/audit-events/verify-receipt', { token: officer.token, body: receipt })).toMatchObject({ status: 403, body: { code: 'ROLE_NOT_ALLOWED' } });
    expect(await t.get('/api/v1/audit-events/head', { token: officer.token })).toMatchObject({ status: 403, body: { code: 'ROLE_NOT_ALLOWED' } });
  });

  it('a truncated tail (triggers bypassed) still verifies, but an earlier head receipt no longer does', async () => {
    await head();
    const receipt = await head();
    await asSuperuser(
      async (q) => {
        await q.query(`DELETE FROM audit_event WHERE seq >= $1`, [receipt.seq - 1]);
      },
      { bypassTriggers: true, holdChainLock: true },
    );
    expect(await verifyChain()).toMatchObject({ valid: true }); // what remains is a consistent prefix
    const check = await checkReceipt(receipt);
    expect(check.body.valid).toBe(false);
    expect(['EVENT_MISSING', 'HASH_MISMATCH']).toContain(check.body.problem);
  });

  it('a chain rewritten consistently by a superuser verifies, but an earlier head receipt does not', async () => {
    const receipt = await head();
    await asSuperuser(
      async (q) => {
        const rows = await q.query(`SELECT ${HASHED}, prev_hash AS "prevHash", hash FROM audit_event WHERE seq >= 5 ORDER BY seq`);
        await rewriteFrom(q, rows, 5, (e) => (e.seq === '5' ? { ...e, reason: 'rewritten history' } : e));
      },
      { bypassTriggers: true, holdChainLock: true },
    );
    expect(await verifyChain()).toMatchObject({ valid: true });
    expect((await checkReceipt(receipt)).body).toEqual({ valid: false, problem: 'HASH_MISMATCH' });
  });

  it('makes its own request ids: a client X-Request-Id never becomes an event’s requestId, and is kept as clientRequestId', async () => {
    const search = await t.get('/api/v1/audit-events', { token: auditor.token, query: { limit: '1' }, headers: { 'x-request-id': 'client-trace-42' } });
    const ours = String(search.headers['x-request-id']);
    expect(ours).toMatch(UUID);
    // Anonymous: a failed login sending the auditor's request id as its own.
    const login = await t.post('/api/v1/auth/login', { body: { username: 'nobody-here', password: 'wrong-password-x' }, headers: { 'x-request-id': ours } });
    expect(login.status).toBe(401);
    expect(login.headers['x-request-id']).not.toBe(ours);
    expect(login.body.requestId).toBe(login.headers['x-request-id']);
    await t.audit.flush();
    const filed = await t.ds.query(`SELECT action, actor_id AS "actorId", client_request_id AS "clientRequestId" FROM audit_event WHERE request_id = $1`, [ours]);
    expect(filed).toEqual([{ action: 'audit.search', actorId: auditor.id, clientRequestId: 'client-trace-42' }]);
    const byClient = await t.get('/api/v1/audit-events', { token: auditor.token, query: { clientRequestId: ours } });
    expect(byClient.body.items).toEqual([expect.objectContaining({ action: 'auth.login', outcome: 'FAILED', actorId: null, requestId: login.headers['x-request-id'], clientRequestId: ours })]);
    // In the exports too; a malformed filter is 400.
    const csv = await t.get('/api/v1/audit-events/export', { token: auditor.token, query: { format: 'csv', clientRequestId: 'client-trace-42' } });
    expect(csv.text.split('\n')[0]).toContain('clientRequestId');
    expect(csv.text).toContain(ours);
    expect((await t.get('/api/v1/audit-events', { token: auditor.token, query: { clientRequestId: 'no spaces' } })).status).toBe(400);
    expect(await verifyChain()).toMatchObject({ valid: true });
  });

  it('a production process without AUDIT_SIGNING_KEY does not start, and names it', async () => {
    const worker = WorkerProcess.start({ NODE_ENV: 'production', AUDIT_SIGNING_KEY: undefined, LOG_LEVEL: 'silent' });
    try {
      await waitFor(() => Promise.resolve(!worker.running), 'the worker to exit', 60_000);
      expect(worker.log()).toContain('AUDIT_SIGNING_KEY is required in production');
    } finally {
      await worker.stop();
    }
  });

  describe('anchoring', () => {
    const receiver = new WebhookReceiver();
    const secret = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    let worker: INestApplicationContext;
    /** AuditAnchorService as the worker's own module registry has it (see support/in-process-worker.ts). */
    let Anchor: typeof AuditAnchorService;
    const saved: Record<string, string | undefined> = {};

    beforeAll(async () => {
      await receiver.start();
      const env = { AUDIT_ANCHOR_URL: receiver.url('/anchor'), AUDIT_ANCHOR_SECRET: secret, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', AUDIT_ANCHOR_INTERVAL_SECONDS: '900' };
      for (const [k, v] of Object.entries(env)) {
        saved[k] = process.env[k];
        process.env[k] = v;
      }
      /* eslint-disable-next-line @typescript-eslint/no-require-imports */
      ({ worker, picked: Anchor } = await startWorkerWith(() => (require('../src/audit/audit-anchor.service') as typeof import('../src/audit/audit-anchor.service')).AuditAnchorService));
    });
    afterAll(async () => {
      await worker?.close();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await receiver.stop();
    });

    it('the worker posts a signed receipt (Standard Webhooks) every AUDIT_ANCHOR_INTERVAL_SECONDS, which the API verifies', async () => {
      const scheduler = await worker.get<Queue>(getQueueToken(AUDIT_ANCHOR_QUEUE)).getJobScheduler(ANCHOR_SCHEDULER);
      expect(scheduler).toMatchObject({ key: ANCHOR_SCHEDULER, every: 900_000 });
      const result = await worker.get(Anchor).anchor();
      expect(result).toMatchObject({ ok: true, status: 204 });
      const post = await waitFor(() => Promise.resolve(receiver.for('/anchor').find((r) => JSON.parse(r.body).data.signature === result!.receipt.signature)), 'the anchor post');
      const payload = new Webhook(secret).verify(post.body, post.headers as Record<string, string>) as { type: string; data: Receipt };
      expect(payload.type).toBe('audit.head');
      expect(payload.data).toEqual(result!.receipt);
      // Signed by the worker's own key (another process's), which the API knows from the recorded keys.
      const apiKey = (await head()).keyId;
      expect(payload.data.keyId).not.toBe(apiKey);
      expect((await checkReceipt(payload.data)).body).toEqual({ valid: true, problem: null });
      await t.audit.flush();
      const [anchored] = await t.ds.query(`SELECT outcome, request_id AS "requestId" FROM audit_event WHERE action = 'audit.anchor' ORDER BY seq DESC LIMIT 1`);
      expect(anchored).toEqual({ outcome: 'ALLOWED', requestId: '(audit-anchor)' });
    });
  });
});

type Row = ChainedFields & { prevHash: string; hash: string; canon: number; atText: string };

/** Recomputes every hash from `fromSeq` on, after `change` (a superuser's consistent rewrite). */
async function rewriteFrom(q: QueryRunner, rows: Row[], fromSeq: number, change: (e: Row) => Row): Promise<void> {
  const [before] = await q.query(`SELECT hash FROM audit_event WHERE seq = $1`, [fromSeq - 1]);
  let prev: string = before.hash;
  for (const original of rows) {
    const e = change({ ...original, seq: String(original.seq), canon: Number(original.canon) });
    const hash = chainHash(prev, e);
    await q.query(`UPDATE audit_event SET reason = $2, canon = $3, prev_hash = $4, hash = $5 WHERE seq = $1`, [e.seq, e.reason, e.canon, prev, hash]);
    prev = hash;
  }
}
