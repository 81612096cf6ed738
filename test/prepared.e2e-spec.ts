import { DataSource, QueryFailedError } from 'typeorm';
import { loadConfig } from '../src/config/app-config';
import { dataSourceOptions } from '../src/database/data-source';
import { poolQuery, preparedQuery } from '../src/common/prepared';

describe('preparedQuery and poolQuery', () => {
  let ds: DataSource;

  beforeAll(async () => {
    // One pooled connection, so the session that prepared the statement is the one asked about it.
    const options = dataSourceOptions(loadConfig());
    ds = new DataSource({ ...options, extra: { ...(options.extra as object), max: 1 }, logging: false, logger: undefined });
    await ds.initialize();
  });

  afterAll(() => ds?.destroy());

  it('prepares a text once per connection and answers every call with its own parameters', async () => {
    const text = 'SELECT $1::int + 1 AS n';
    expect(await preparedQuery<{ n: number }>(ds, text, [1])).toEqual([{ n: 2 }]);
    expect(await preparedQuery<{ n: number }>(ds, text, [41])).toEqual([{ n: 42 }]);
    const prepared: { name: string; statement: string }[] = await ds.query(`SELECT name, statement FROM pg_prepared_statements WHERE statement = $1`, [text]);
    expect(prepared).toHaveLength(1);
    expect(prepared[0].name).toMatch(/^fc_[0-9a-f]{20}$/);
    // Another text gets another name.
    await preparedQuery(ds, 'SELECT $1::int AS n', [1]);
    expect((await ds.query(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'fc\\_%'`))[0].n).toBe(2);
  });

  it('fails as DataSource.query does, with the PostgreSQL error code kept', async () => {
    const failed = preparedQuery(ds, 'SELECT $1::uuid AS id', ['not-a-uuid']);
    await expect(failed).rejects.toBeInstanceOf(QueryFailedError);
    await expect(failed).rejects.toMatchObject({ driverError: { code: '22P02' } });
  });

  it('logs a failed or slow statement as TypeORM logs its own: the SQL text, never the parameters', async () => {
    // Captured, not printed: the test reads what would have been logged.
    const failed = jest.spyOn(ds.logger, 'logQueryError').mockImplementation(() => undefined);
    const slow = jest.spyOn(ds.logger, 'logQuerySlow').mockImplementation(() => undefined);
    const threshold = ds.options.maxQueryExecutionTime;
    try {
      await expect(poolQuery(ds, 'SELECT $1::uuid AS id', ['secret-not-a-uuid'])).rejects.toBeInstanceOf(QueryFailedError);
      expect(failed).toHaveBeenCalledTimes(1);
      expect(failed.mock.calls[0]).toEqual([expect.any(Error), 'SELECT $1::uuid AS id']);
      await poolQuery(ds, 'SELECT $1::int AS n', [1]);
      expect(slow).not.toHaveBeenCalled();
      Object.assign(ds.options, { maxQueryExecutionTime: 20 });
      await poolQuery(ds, 'SELECT pg_sleep(0.05), $1::text AS secret', ['secret']);
      expect(slow).toHaveBeenCalledTimes(1);
      expect(slow.mock.calls[0]).toEqual([expect.any(Number), 'SELECT pg_sleep(0.05), $1::text AS secret']);
      expect(JSON.stringify([...failed.mock.calls, ...slow.mock.calls].map((c) => c.slice(1)))).not.toContain('secret-not');
    } finally {
      Object.assign(ds.options, { maxQueryExecutionTime: threshold });
      failed.mockRestore();
      slow.mockRestore();
    }
  });
});
