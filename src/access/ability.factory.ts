import { Injectable } from '@nestjs/common';
import {
  AbilityBuilder,
  buildMongoQueryMatcher,
  createMongoAbility,
  type MongoAbility,
  type MongoQuery,
} from '@casl/ability';
import type { FieldCondition } from '@ucast/mongo2js';
import { classificationsUpTo, COMMUNITY_TLPS, isSubset } from './markings';
import type { Principal } from './principal';
import { CELL_ROLES, CONTENT_ROLES } from './roles';

export type Action =
  | 'manage'
  /** call a read endpoint at all; what it returns is then decided item by item by 'read' */
  | 'browse'
  | 'create'
  | 'read'
  | 'update'
  /** read the originator-only `sourceDescription` of a report */
  | 'readSource'
  /** extend a report's review date (the originating agency) */
  | 'validate'
  /** send a draft assessment for review (its author) */
  | 'submit'
  /** publish an assessment (a cell supervisor; the two-person rule is checked by the service) */
  | 'publish'
  /** read only the sanitised tearline of a published assessment, or of an inbox item */
  | 'readTearline'
  /** read an inbox item's assessment in full */
  | 'readFull'
  /** see who received an assessment (GET /assessments/:id/disseminations) */
  | 'readDisseminations'
  /** see an assessment's cell workflow fields (authorId, publishedBy, distribution, submittedAt): the cell's readers */
  | 'readWorkflow'
  /** set the national threat level */
  | 'set'
  /** acknowledge an inbox item (an officer of the recipient agency) */
  | 'acknowledge'
  /** re-queue a FAILED dissemination */
  | 'redrive';

export type SubjectName =
  | 'Report'
  | 'Assessment'
  | 'ThreatLevel'
  | 'ThreatRecommendation'
  | 'Dissemination'
  /** an agency's inbox and its items */
  | 'Inbox'
  | 'Agency'
  | 'User'
  | 'AuditEvent'
  | 'Profile'
  /** the caller's own password (POST /auth/password) */
  | 'Password'
  /** a sensitive administrative change waiting for a second ADMIN (SPEC S1 four eyes) */
  | 'AdminChange'
  /** the delivery queues: their dashboard, and redriving any dissemination whatever its content */
  | 'Queue'
  /** the health check's details (each dependency, queue depth); anyone gets its status alone */
  | 'HealthDetails'
  | 'all';

export type AppAbility = MongoAbility<[Action, SubjectName | object], MongoQuery>;

/**
 * `$subsetOf`: the field (an array) holds only values from the given list — "a reader must hold all
 * of an item's compartments". In SQL it is `column <@ ARRAY[...]` (see ability-sql.ts).
 */
const subsetOf = (condition: FieldCondition<string[]>, object: object, { get }: { get: (o: object, f: string) => unknown }) => {
  const value = get(object, condition.field);
  return Array.isArray(value) && isSubset(value as string[], condition.value);
};

const conditionsMatcher = buildMongoQueryMatcher({ $subsetOf: { type: 'field' } }, { subsetOf });

/**
 * The one definition of who may do what — need-to-know included (SPEC "Need-to-know rules").
 * Single items are checked with `ability.can(...)`; lists and searches turn the same rules into a SQL
 * WHERE with `accessibleWhere` (ability-sql.ts).
 */
@Injectable()
export class AbilityFactory {
  createFor(user: Principal): AppAbility {
    const { can, build } = new AbilityBuilder<AppAbility>(createMongoAbility);
    const done = () => build({ conditionsMatcher, detectSubjectType: (object) => (object as { __type: SubjectName }).__type });

    // Everyone may change their own password; a token given for a temporary password may do nothing else.
    can('update', 'Password');
    if (user.passwordChangeOnly) return done();

    can('read', 'Profile');
    can('read', 'Agency');
    can('read', 'ThreatLevel');
    // Any user may ask; need-to-know then answers item by item. AUDITOR and ADMIN hold no read rule
    // for content, so they get empty lists and 404s (separation of duties), never content.
    can('browse', ['Report', 'Assessment', 'Inbox']);

    if (user.roles.includes('ADMIN')) {
      can('manage', 'Agency');
      can('manage', 'User');
      can('manage', 'AdminChange');
    }
    if (user.roles.includes('AUDITOR')) {
      // Auditors by scope (SPEC S1): the cell's and an oversight body's see every event; any other
      // agency's only the events whose actor belongs to it (an event's agencyId is its actor's agency;
      // events with no actor — anonymous login failures, the system's own — are outside that scope).
      if (user.inFusionCell || user.inOversightAgency) can('read', 'AuditEvent');
      else can('read', 'AuditEvent', { agencyId: user.agencyId });
      // Deliveries likewise: a scoped auditor sees only those to their own agency, and the list of an
      // assessment only when one went there (`recipientAgencyIds`: the agencies it was disseminated to).
      if (user.inFusionCell || user.inOversightAgency) {
        can('read', 'Dissemination');
        can('readDisseminations', 'Assessment');
      } else {
        can('read', 'Dissemination', { agencyId: user.agencyId });
        can('readDisseminations', 'Assessment', { recipientAgencyIds: { $all: [user.agencyId] } });
      }
    }
    if (user.roles.includes('ADMIN')) {
      // The queues' manager redrives any delivery, whatever its content (which it never reads).
      can('redrive', 'Dissemination');
      can('manage', 'Queue');
      can('read', 'HealthDetails');
    }

    if (user.roles.some((r) => CONTENT_ROLES.includes(r))) {
      // Every read rule is bounded by clearance and compartments.
      const cleared = {
        classification: { $in: classificationsUpTo(user.clearance) },
        compartments: { $subsetOf: user.compartments },
      } as MongoQuery;
      // A purged report (retention) is a tombstone nobody reads.
      const live = { ...cleared, purgedAt: null } as MongoQuery;
      const isCellAnalyst = user.inFusionCell && user.roles.some((r) => CELL_ROLES.includes(r));

      can('create', 'Report');
      // Inbox items (their `content` is what the agency received): an assessment's full copy to a reader
      // cleared for it, else its tearline to one cleared for that; other kinds carry no marked content.
      const upToClearance = { $in: classificationsUpTo(user.clearance) };
      can('readFull', 'Inbox', { kind: 'ASSESSMENT', variant: 'FULL', 'content.classification': upToClearance, 'content.compartments': { $subsetOf: user.compartments } } as MongoQuery);
      can('readTearline', 'Inbox', { kind: 'ASSESSMENT', 'content.tearline.classification': upToClearance } as MongoQuery);
      // An officer acknowledges their own agency's items only.
      if (user.roles.includes('OFFICER')) can('acknowledge', 'Inbox', { agencyId: user.agencyId });
      // 1. originator
      can('read', 'Report', { ...live, agencyId: user.agencyId });
      // 2. reports are submitted to the cell
      if (isCellAnalyst) can('read', 'Report', live);
      // 3. explicit share by agency code
      can('read', 'Report', { ...live, releasableTo: { $all: [user.agencyCode] } });
      // 4. community-wide TLP
      can('read', 'Report', { ...live, tlp: { $in: [...COMMUNITY_TLPS] } });

      // Source identity and handling notes stay with the originating agency.
      can('readSource', 'Report', { agencyId: user.agencyId });
      can('validate', 'Report', { agencyId: user.agencyId });

      // Assessments: drafts stay inside the cell; a published one reaches the agencies on its
      // distribution — in full when cleared for it, otherwise as its tearline when cleared for that.
      const published = { status: 'PUBLISHED' } as MongoQuery;
      const distributed: MongoQuery[] = [
        { ...published, distributionAll: true },
        { ...published, distributionCodes: { $all: [user.agencyCode] } },
      ];
      for (const d of distributed) can('read', 'Assessment', { ...cleared, ...d });
      const tearlineCleared = { tearlineClassification: { $in: classificationsUpTo(user.clearance) } } as MongoQuery;
      for (const d of distributed) can('readTearline', 'Assessment', { ...tearlineCleared, ...d });
      // The cell's workflow (who drafted, who published, when it went for review, who else got it) stays
      // with the cell: a reader elsewhere gets the full text as the disseminated copy carries it (SPEC S1).
      if (user.inFusionCell) can('readWorkflow', 'Assessment');
      if (isCellAnalyst) {
        can('create', 'Assessment');
        can('read', 'Assessment', cleared);
        can('readTearline', 'Assessment', { ...tearlineCleared, ...published });
        can('update', 'Assessment', { authorId: user.id, status: 'DRAFT' });
        can('submit', 'Assessment', { authorId: user.id, status: 'DRAFT' });
        can('read', 'ThreatRecommendation');
        can('read', 'Dissemination');
        can('readDisseminations', 'Assessment', cleared);
        if (user.roles.includes('SUPERVISOR')) {
          can('publish', 'Assessment');
          can('set', 'ThreatLevel');
          // Only what they may read: a notice (no assessment), or an assessment they may read in full
          // (`assessment`: the dissemination's assessment row; the cell's read rule above is `cleared`).
          can('redrive', 'Dissemination', { assessmentId: null });
          can('redrive', 'Dissemination', prefixed('assessment', cleared));
        }
      }
    }

    return done();
  }
}

/** A condition on an object's `field` (a nested object): each of `query`'s fields as `field.name`. */
function prefixed(field: string, query: MongoQuery): MongoQuery {
  return Object.fromEntries(Object.entries(query).map(([k, v]) => [`${field}.${k}`, v]));
}

/**
 * Whether the caller may do `action` on some `subject`s only (every rule granting it has conditions),
 * e.g. an auditor by scope reading deliveries. False when no rule grants it at all.
 */
export function onlySome(ability: AppAbility, action: Action, subject: Exclude<SubjectName, 'all'>): boolean {
  const rules = ability.rulesFor(action, subject);
  return rules.length > 0 && rules.every((r) => !r.inverted && r.conditions !== undefined);
}

/** Tags a copy of a plain object (or entity) with its CASL subject type. */
export function asSubject<T extends object>(type: Exclude<SubjectName, 'all'>, object: T): T & { __type: string } {
  return { ...object, __type: type };
}
