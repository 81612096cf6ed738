import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Who may do what is written in the ability factory (src/access/), never as a role check in a service:
 * this walks src/ and fails on `roles.includes(` / `roles.some(` anywhere else, except the files below,
 * whose checks are data logic about a *target* user or seed data, not the caller's permission.
 */
const ALLOWED: Record<string, number> = {
  // Validating a user being created or changed: which roles go together, and not demoting oneself.
  'src/users/users.service.ts': 4,
  // Four eyes: whether a change to another user is sensitive (adds a role, removes an ADMIN).
  'src/four-eyes/four-eyes.ts': 4,
  // The demo's fixed users: which of them are officers.
  'src/database/seeds/demo.seed.ts': 1,
};

const ROLE_CHECK = /\broles\??\.(includes|some)\(/g;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('no role checks outside src/access/', () => {
  it('finds role checks only in the factory and the allowed target-user logic', () => {
    const root = join(__dirname, '..', '..');
    const found: Record<string, number> = {};
    for (const file of sources(join(root, 'src'))) {
      const name = relative(root, file).split('\\').join('/');
      if (name.startsWith('src/access/')) continue;
      const n = readFileSync(file, 'utf8').match(ROLE_CHECK)?.length ?? 0;
      if (n > 0) found[name] = n;
    }
    expect(found).toEqual(ALLOWED);
  });

  it('would catch one (the pattern matches the forms in use)', () => {
    expect("if (ctx.principal.roles.includes('ADMIN'))".match(ROLE_CHECK)).toHaveLength(1);
    expect('user?.roles.some((r) => CONTENT_ROLES.includes(r))'.match(ROLE_CHECK)).toHaveLength(1);
  });
});
