/*
 * Access keys: how a text search (`GET /reports?q=`) finds only the reports a need-to-know branch may
 * return (migration AccessKeySearch, bench/findings.md F2).
 *
 * Every live report carries one key per way in, each naming the way in and the report's exact
 * markings (`report_access_keys` in PostgreSQL, indexed with the text in `report_search_access_idx`):
 * `a:<agency uuid>/<classification>/<compartments>`, `r:<code>/…` per code in releasableTo and, for a
 * community TLP, `c:/…`; the compartments distinct, sorted bytewise, joined by `,`.
 *
 * A branch (one CASL rule) lists the keys it admits: its way in × each classification it allows ×
 * each subset of the compartments it allows. A report has one of those keys exactly when it satisfies
 * those terms of the branch; the branch's whole condition is still checked on every row found
 * (the keys only choose which rows to look at). The property test in ability-sql.spec.ts proves the
 * keys select exactly the rows the branch does.
 */

import type { DataSource } from 'typeorm';

/** The row side, over a query alias: the indexed expression, written as the index writes it. */
export function accessKeysSql(alias: string): string {
  return `report_access_keys("${alias}"."agency_id", "${alias}"."releasable_to", "${alias}"."classification", "${alias}"."compartments", "${alias}"."tlp")`;
}

/** The TLPs that carry a `c:` key: fixed in the SQL function (need-to-know rule 4's community TLPs). */
export const KEYED_COMMUNITY_TLPS = ['CLEAR', 'GREEN'] as const;

/**
 * Above this many keys a branch does without them (a caller holding many compartments: the subsets
 * double with each). Its search is then still correct, on the plain text index.
 */
export const MAX_ACCESS_KEYS = 256;

/**
 * The keys a branch admits, from its CASL conditions; null when the branch does not have the shape the
 * keys describe (live reports only; a classification list; a compartments subset; one way in).
 */
export function branchAccessKeys(conditions: Record<string, unknown>): string[] | null {
  if (!('purgedAt' in conditions) || conditions.purgedAt !== null) return null; // the index holds live reports only
  const classes = operand(conditions.classification, '$in');
  const allowed = operand(conditions.compartments, '$subsetOf');
  const way = wayIn(conditions);
  if (!classes || !allowed || way === null) return null;
  const compartments = [...new Set(allowed)].sort(); // UTF-16 order = bytewise for these ASCII tokens
  if (classes.length * 2 ** compartments.length > MAX_ACCESS_KEYS) return null; // counted before any subset is built
  const subsets = compartments.reduce<string[][]>((acc, c) => acc.concat(acc.map((s) => [...s, c])), [[]]);
  return [...new Set(classes)].flatMap((c) => subsets.map((s) => `${way}/${c}/${s.join(',')}`));
}

/** The key prefix of the branch's way in: its agency, the one code it must be releasable to, or the community TLPs. */
function wayIn(conditions: Record<string, unknown>): string | null {
  if (typeof conditions.agencyId === 'string') return `a:${conditions.agencyId.toLowerCase()}`;
  const codes = operand(conditions.releasableTo, '$all');
  if (codes?.length === 1) return `r:${codes[0]}`;
  const tlps = operand(conditions.tlp, '$in');
  if (tlps && tlps.length === KEYED_COMMUNITY_TLPS.length && KEYED_COMMUNITY_TLPS.every((t) => tlps.includes(t))) return 'c:';
  return null;
}

/** `{ [op]: string[] }` → the strings; anything else → null. */
function operand(condition: unknown, op: string): string[] | null {
  if (!condition || typeof condition !== 'object' || Object.keys(condition).length !== 1) return null;
  const value = (condition as Record<string, unknown>)[op];
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : null;
}

/**
 * When a search is broad enough to walk the branches instead of looking up access keys. The look-up
 * reads every report that matches the text (GIN merges the matches: ~0.05 µs each, 23 ms for a 40 %
 * search at 1M reports); a branch walk reads its reports newest first and checks the text on each,
 * until a page is full (~2.5 ms ÷ the share matched: 111 ms for a 2.5 % search, 8 ms for 40 %). So the
 * walk wins when matches × share ≥ ~50,000: from ~22 % of 1M reports, ~7 % of 10M, never at 100k
 * (measured for the 1 % caller at 1M, bench/findings.md F2).
 */
export const BROAD_SEARCH_WORK = 50_000;

/**
 * Whether a search is broad (see BROAD_SEARCH_WORK), from PostgreSQL's own row estimates for the
 * search and for the table: one EXPLAIN, planned and not run.
 */
export async function isBroadSearch(ds: DataSource, q: string, work = BROAD_SEARCH_WORK): Promise<boolean> {
  const [row] = await ds.query<{ 'QUERY PLAN': { Plan: { Plans?: { 'Plan Rows': number }[] } }[] }[]>(
    `EXPLAIN (FORMAT JSON) SELECT 1 FROM report WHERE search_vector @@ websearch_to_tsquery('english', $1) UNION ALL SELECT 1 FROM report`,
    [q],
  );
  const [matches, all] = (row?.['QUERY PLAN'][0]?.Plan.Plans ?? []).map((p) => p['Plan Rows']);
  return matches !== undefined && all !== undefined && all > 0 && (matches * matches) / all >= work;
}
