import { notFound } from '../common/common.errors';
import { type Action, type AppAbility, asSubject, type SubjectName } from './ability.factory';

/** The audit event of a refused single-item read. */
export interface DeniedEvent {
  action: string;
  outcome: 'DENIED';
  resourceType: string;
  resourceId: string | null;
  reason: string;
  details?: Record<string, unknown>;
}

/**
 * The audit writer as this helper uses it (`AuditWriter`). It is called without the caller's
 * transaction, so the denial is recorded although that transaction then rolls back.
 */
export interface DenialRecorder<C> {
  record(ctx: C, event: DeniedEvent): Promise<unknown>;
}

export interface ReadCheck {
  /** The audit event's action, e.g. `report.read`. */
  action: string;
  /** The ability's action to check (default `read`). */
  can?: Action;
  /** The audit event's resource type (default the subject type). */
  resourceType?: string;
  /** What the 404 names (`<notFoundAs> not found`; default the subject type). */
  notFoundAs?: string;
  /** The reason when the item exists but is refused (default `need-to-know`). */
  refused?: string;
  /**
   * One reason whether the item is missing or refused: for a caller who reads their own audit events,
   * two reasons would tell them which ids exist.
   */
  alike?: string;
  details?: Record<string, unknown>;
  /** Fields the rules read beside the row's own (e.g. a dissemination's assessment row). */
  joined?: Record<string, unknown>;
  /** What to throw instead of the 404, where a refusal is not a missing item (e.g. a 422 on a link). */
  error?: () => Error;
}

/**
 * The one enforcement path of a single-item read (Immich's `requireAccess`): given the loaded row (or
 * null), checks the ability; a missing or refused item is audited as DENIED and answers the same 404.
 */
export async function requireReadable<T extends object, C extends { ability: AppAbility }>(
  audit: DenialRecorder<NoInfer<C>>,
  ctx: C,
  type: Exclude<SubjectName, 'all'>,
  id: string | null,
  row: T | null | undefined,
  check: ReadCheck,
): Promise<T> {
  return (await requireOneOf(audit, ctx, type, id, row, [check.can ?? 'read'], check)).row;
}

/**
 * {@link requireReadable} for an item readable in more than one way (an assessment in full or by its
 * tearline): the first of `actions` the ability allows, with the row.
 */
export async function requireOneOf<T extends object, A extends Action, C extends { ability: AppAbility }>(
  audit: DenialRecorder<NoInfer<C>>,
  ctx: C,
  type: Exclude<SubjectName, 'all'>,
  id: string | null,
  row: T | null | undefined,
  actions: readonly A[],
  check: Omit<ReadCheck, 'can'>,
): Promise<{ row: T; allowed: A }> {
  const subject = row ? asSubject(type, { ...row, ...check.joined }) : null;
  const allowed = subject ? actions.find((a) => ctx.ability.can(a, subject)) : undefined;
  if (row && allowed) return { row, allowed };
  await audit.record(ctx, {
    action: check.action,
    resourceType: check.resourceType ?? type,
    resourceId: id,
    outcome: 'DENIED',
    reason: check.alike ?? (subject ? refusal(ctx.ability, subject, actions, check.refused) : 'not found'),
    ...(check.details ? { details: check.details } : {}),
  });
  throw check.error ? check.error() : notFound(check.notFoundAs ?? type);
}

/** Why an existing row is refused: `purged` for a retention tombstone the caller could read before. */
function refusal(ability: AppAbility, subject: object, actions: readonly Action[], refused = 'need-to-know'): string {
  const purged = 'purgedAt' in subject && subject.purgedAt !== null && subject.purgedAt !== undefined;
  if (purged && actions.some((a) => ability.can(a, { ...subject, purgedAt: null }))) return 'purged';
  return refused;
}
