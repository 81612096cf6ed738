import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ERROR_CODES, ERROR_CODES_BY_CAPABILITY, errorCodeTable } from './error-codes';

/** Every `*.errors.ts` under src/, found on disk (so a new capability's file cannot be forgotten in error-codes.ts). */
function errorFiles(dir = __dirname): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? errorFiles(join(dir, e.name)) : e.name.endsWith('.errors.ts') ? [join(dir, e.name)] : [],
  );
}

/** The `XxxErrorCode` enums a file exports, by name. */
function enumsOf(file: string): [string, string[]][] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- each file is found at run time
  const exported = require(file) as Record<string, unknown>;
  return Object.entries(exported)
    .filter(([name, value]) => name.endsWith('ErrorCode') && typeof value === 'object' && value !== null)
    .map(([name, value]) => [name, Object.values(value as Record<string, string>)]);
}

describe('error codes', () => {
  const files = errorFiles();

  it('lists every code of every capability’s enum, each code once, each with an HTTP error status', () => {
    expect(files.length).toBeGreaterThanOrEqual(Object.keys(ERROR_CODES_BY_CAPABILITY).length);
    for (const file of files) {
      const enums = enumsOf(file);
      expect([relative(__dirname, file), enums.length]).toEqual([relative(__dirname, file), 1]); // one enum per capability
      const [name, codes] = enums[0];
      expect([name, codes.filter((c) => !ERROR_CODES.includes(c))]).toEqual([name, []]);
    }
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    for (const statuses of Object.values(ERROR_CODES_BY_CAPABILITY)) {
      for (const [code, status] of Object.entries(statuses)) expect([code, status >= 400 && status < 600]).toEqual([code, true]);
    }
  });

  it('keeps need-to-know’s one 404: NOT_FOUND is the only code with status 404', () => {
    const notFound = Object.values(ERROR_CODES_BY_CAPABILITY).flatMap((s) => Object.entries(s).filter(([, status]) => status === 404));
    expect(notFound).toEqual([['NOT_FOUND', 404]]);
  });

  it('docs/api.md holds the table of codes as error-codes.ts makes it', () => {
    const doc = readFileSync(join(__dirname, '..', 'docs', 'api.md'), 'utf8');
    const table = /<!-- error-codes -->\n([\s\S]*?)\n<!-- \/error-codes -->/.exec(doc)?.[1];
    // On a mismatch, paste the expected table between the two markers.
    expect(table).toBe(errorCodeTable());
  });
});
