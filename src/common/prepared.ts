import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import { type DataSource, QueryFailedError } from 'typeorm';

/**
 * Runs one autocommit statement as a named prepared statement on TypeORM's own pg pool: each pooled
 * connection parses and plans the text once, then only binds and executes it. For the few fixed
 * statements every request runs (the principal, report intake), where PostgreSQL's parse and plan are a
 * measurable share of the request. Not for statements inside a transaction (they need the transaction's
 * connection), nor for text that varies (each distinct text stays prepared on every connection).
 *
 * Errors come back as TypeORM's QueryFailedError, as from `DataSource.query`.
 */
export function preparedQuery<T>(ds: DataSource, text: string, values: unknown[]): Promise<T[]> {
  return poolQuery<T>(ds, text, values, `fc_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`);
}

/**
 * Runs one autocommit statement on a connection of TypeORM's pool, borrowed through a QueryRunner (its
 * public `connect()` hands out the pg client, which alone takes a statement name): prepared under
 * `name` when given, else parsed and planned each time (for text that varies, such as a caller's
 * need-to-know branches). Failed and slow statements are logged as TypeORM logs its own (SQL text
 * only); errors come back as TypeORM's QueryFailedError.
 */
export async function poolQuery<T>(ds: DataSource, text: string, values: unknown[], name?: string): Promise<T[]> {
  const runner = ds.createQueryRunner();
  const started = performance.now();
  try {
    const client = (await runner.connect()) as PoolClient;
    const result = await client.query(name ? { name, text, values } : { text, values });
    const ms = performance.now() - started;
    const slow = ds.options.maxQueryExecutionTime;
    if (slow && ms > slow) ds.logger.logQuerySlow(ms, text);
    return result.rows as T[];
  } catch (err) {
    ds.logger.logQueryError(err as Error, text);
    throw new QueryFailedError(text, values, err as Error);
  } finally {
    await runner.release();
  }
}
