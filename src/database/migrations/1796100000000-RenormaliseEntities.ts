import type { MigrationInterface, QueryRunner } from 'typeorm';
import { type EntityType, normaliseEntity } from '../../reports/normalise';

/**
 * Only a value with a character outside ASCII, or a domain or address with a punycode label, can have a
 * different key under the S1 rules (see docs/decisions.md, "normalise").
 */
const CANDIDATES = `SELECT id, type, value, normalized FROM report_entity
  WHERE (value ~ '[^\\x01-\\x7f]' OR (type IN ('DOMAIN', 'EMAIL') AND value ~* 'xn--')) AND id > $1 ORDER BY id LIMIT 1000`;
type Row = { id: string; type: EntityType; value: string; normalized: string };

/** The stage-1 rule, frozen here so `down` can restore the keys it made. */
function stage1Key(type: EntityType, value: string): string | null {
  const alnumUpper = (v: string) => v.normalize('NFKC').toUpperCase().replace(/[^A-Z0-9]/g, '');
  switch (type) {
    case 'PHONE': {
      const trimmed = value.trim();
      const digits = trimmed.replace(/\D/g, '');
      return digits ? (trimmed.startsWith('+') ? `+${digits}` : digits) : null;
    }
    case 'EMAIL':
      return value.normalize('NFKC').trim().toLowerCase() || null;
    case 'DOMAIN':
      return value.normalize('NFKC').trim().toLowerCase().replace(/\.$/, '') || null;
    case 'VEHICLE':
    case 'DOCUMENT':
    case 'FINANCIAL_ACCOUNT':
      return alnumUpper(value) || null;
    case 'PERSON':
    case 'ORGANISATION':
    case 'LOCATION':
      return value.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim() || null;
    default:
      return null; // IP: stage 1 took no non-ASCII address, so no such row exists
  }
}

async function rekey(q: QueryRunner, key: (r: Row) => string | null): Promise<void> {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = (await q.query(CANDIDATES, [after])) as Row[];
    if (rows.length === 0) return;
    after = rows[rows.length - 1].id;
    const changed = rows.map((r) => ({ id: r.id, key: key(r) })).filter((c, i): c is { id: string; key: string } => c.key !== null && c.key !== rows[i].normalized);
    if (changed.length === 0) continue;
    await q.query(
      `UPDATE report_entity e SET normalized = c.key FROM unnest($1::uuid[], $2::text[]) AS c(id, key) WHERE e.id = c.id`,
      [changed.map((c) => c.id), changed.map((c) => c.key)],
    );
  }
}

/**
 * Entity keys made before S1 under the new rules: a full-width phone stored as `+447700`, a Cyrillic
 * plate as `12CDE`, correlate falsely with others and never with their plain twin. A value the new
 * rules refuse (it would lose characters) keeps the key it has: it was accepted then, and is not lost now.
 */
export class RenormaliseEntities1796100000000 implements MigrationInterface {
  name = 'RenormaliseEntities1796100000000';

  async up(q: QueryRunner): Promise<void> {
    await rekey(q, (r) => {
      const n = normaliseEntity(r.type, r.value);
      return n.ok ? n.value : null;
    });
  }

  async down(q: QueryRunner): Promise<void> {
    await rekey(q, (r) => stage1Key(r.type, r.value));
  }
}
