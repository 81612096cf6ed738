import type { AuditInput } from '../../audit/audit-writer';
import { cursorAfter, pageOf } from '../../common/pagination';
import { ListReportsQuery } from '../dto/list-reports.query';
import type { ListedReport } from './audited-page';

/** How many statements one list request runs to fill a page past held-back reports, once it has a report to show. */
export const MAX_LIST_ROUNDS = 4;

/**
 * Fills a page of `q.limit` shown reports. `round` runs one audited page statement; when it held rows
 * back (`readable` false: a share row that disagrees with its report), the next round starts after
 * them, up to MAX_LIST_ROUNDS and on until one report is shown or the rows end. So the cursor given
 * out is always a report the caller was shown.
 */
export async function fillPage(
  q: ListReportsQuery,
  round: (page: ListReportsQuery, n: number) => Promise<ListedReport[]>,
): Promise<{ shown: ListedReport[]; nextCursor: string | null }> {
  const shown: ListedReport[] = [];
  let after = q.cursor;
  let more: boolean;
  for (let n = 0; ; n++) {
    const want = q.limit - shown.length;
    const rows = await round(Object.assign(new ListReportsQuery(), q, { limit: want, cursor: after }), n);
    const { page, nextCursor } = pageOf(rows, want, (r) => r.createdAt);
    shown.push(...page.filter((r) => r.readable));
    more = nextCursor !== null;
    if (shown.length === q.limit || !more || (n + 1 >= MAX_LIST_ROUNDS && shown.length > 0)) break;
    after = nextCursor ?? undefined; // past the held rows: this request's own position, never given out
  }
  const last = shown[shown.length - 1];
  return { shown, nextCursor: more && last ? cursorAfter(last.createdAt, last.id) : null };
}

/** The audit event of a list statement: the request's filters, and its round after the first. */
export function listEvent(q: ListReportsQuery, round: number): AuditInput {
  return {
    action: 'report.list',
    resourceType: 'Report',
    outcome: 'ALLOWED',
    details: { category: q.category ?? null, from: q.from ?? null, to: q.to ?? null, q: q.q ?? null, cursor: q.cursor ?? null, ...(round > 0 ? { round: round + 1 } : {}) },
  };
}
