import { Client } from 'pg';
import { atTextSql, chainHash, GENESIS_HASH } from '../src/audit/canonical';
import { dropDatabase } from './support/test-database';
import { serverUrl } from './support/test-env';
import { dropQueueKeys } from './support/queue-keys';

/** After every suite: the shared database's audit chain must still verify, end to end. */
async function verifyAuditChain(dbName: string, verbose: boolean): Promise<void> {
  const pg = new Client({ connectionString: serverUrl(dbName) });
  await pg.connect();
  try {
    const pending = await pg.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_pending');
    let prev = GENESIS_HASH;
    let expected = 1n;
    let checked = 0;
    for (;;) {
      const { rows } = await pg.query(
        `SELECT seq, at, ${atTextSql('at')} AS at_text, actor_id, agency_id, action, resource_type, resource_id, resource_ids, outcome, reason,
                request_id, client_request_id, details, canon, prev_hash, hash
           FROM audit_event WHERE seq >= $1 ORDER BY seq LIMIT 5000`,
        [expected.toString()],
      );
      if (rows.length === 0) break;
      for (const r of rows) {
        const e = {
          seq: String(r.seq),
          at: r.at as Date,
          actorId: r.actor_id,
          agencyId: r.agency_id,
          action: r.action,
          resourceType: r.resource_type,
          resourceId: r.resource_id,
          resourceIds: r.resource_ids,
          outcome: r.outcome,
          reason: r.reason,
          requestId: r.request_id,
          details: r.details,
          canon: Number(r.canon),
          atText: r.at_text as string,
          clientRequestId: r.client_request_id,
        };
        if (BigInt(e.seq) !== expected || r.prev_hash !== prev || chainHash(prev, e) !== r.hash) {
          throw new Error(`audit chain of the shared test database breaks at seq ${expected} (after ${checked} good events)`);
        }
        prev = r.hash as string;
        expected += 1n;
        checked += 1;
      }
    }
    if (checked === 0 || !verbose) return; // a break throws; the count is shown with --verbose only, so a green run stays quiet
    process.stdout.write(`\naudit chain of the shared test database verifies: ${checked} events (${pending.rows[0].n} left unchained)\n`);
  } finally {
    await pg.end();
  }
}

export default async function globalTeardown(globalConfig?: { verbose?: boolean }): Promise<void> {
  const name = process.env.FUSION_TEST_DB;
  const prefix = process.env.QUEUE_PREFIX;
  try {
    if (name) await verifyAuditChain(name, globalConfig?.verbose === true);
  } finally {
    if (name && !process.env.KEEP_TEST_DB) await dropDatabase(name);
    if (prefix?.startsWith('fusiontest-')) await dropQueueKeys(prefix);
  }
}
