import { randomUUID } from 'node:crypto';
import type { Actor } from '../agencies-and-users';

// The shapes of the hostile-input table (test/hostile-input.e2e-spec.ts): endpoints, their cases, the world they run against.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Obj = { [key: string]: Json };
export type Path = (string | number)[];
export type Who = 'anon' | 'admin' | 'officer' | 'analyst' | 'supervisor' | 'auditor';

/** What the cases run against: made once in beforeAll. */
export interface World {
  admin: string;
  /** An OFFICER of `agencyId`. */
  officer: Actor;
  /** Fusion-cell ANALYST (author of the drafts below) and SUPERVISOR. */
  analyst: Actor;
  supervisor: Actor;
  auditor: Actor;
  agencyId: string;
  agencyCode: string;
  /** The code of another agency, for releasableTo. */
  otherCode: string;
  /** A report of the officer's own agency (so POST …/:id/validate is allowed). */
  reportId: string;
  /** A draft assessment by the analyst. */
  draftId: string;
  /** An agency of its own for PUT …/webhook (inactive, so nothing is ever delivered to the test URL). */
  webhookAgencyId: string;
  /** A dissemination of a published assessment: PENDING or QUEUED (no worker here), never FAILED. */
  disseminationId: string;
  /** A fresh draft by the analyst / a fresh one submitted for review: state-changing routes get one per case. */
  newDraft: () => Promise<string>;
  newInReview: () => Promise<string>;
}

export interface Send {
  payload?: string | Buffer;
  headers?: Record<string, string>;
  /** Raw (already URL-encoded) value for the route's :id. */
  id?: string;
}

export interface Case {
  name: string;
  send: (valid: Obj | undefined) => Send;
  /** The exact status expected; any 4xx when omitted. */
  status?: number;
  /** A 400's `message` must contain this (the offending field, with its full path). */
  field?: string;
  /**
   * A null sent for an optional field: class-validator's @IsOptional reads null as "absent". Accepted
   * either as 400 naming the field, or as a 2xx whose response holds the field as absent (null or []),
   * or, on a PATCH, unchanged.
   */
  absentOk?: Path;
}

export interface Endpoint {
  method: 'POST' | 'PUT' | 'PATCH';
  /** The route, with `:id` where it takes one. */
  path: string;
  /** Who calls it: a caller that IS allowed to, so we test input handling and not authorisation. */
  as: Who;
  id?: (w: World) => string | Promise<string>;
  /** A valid body (fresh on every call); omitted when the route takes no body. */
  body?: (w: World) => Obj;
  /** Dotted paths of fields that may be omitted. */
  optional?: string[];
  /** When a required field is missing, the message may name a related field instead (dotted path → name). */
  missingNames?: Record<string, string>;
  /** The status of the valid request. */
  ok: number;
  extra?: Case[];
}

/** A world of the right shape but no real ids: enough to derive the cases from a valid body. */
const SHAPE_ACTOR: Actor = { id: '', username: '', token: '', agency: { id: '', code: '', kind: 'POLICE', accreditation: 'SECRET' }, roles: [], clearance: 'SECRET', compartments: [] };
export const SHAPE_WORLD: World = {
  admin: '',
  officer: SHAPE_ACTOR,
  analyst: SHAPE_ACTOR,
  supervisor: SHAPE_ACTOR,
  auditor: SHAPE_ACTOR,
  agencyId: randomUUID(),
  agencyCode: 'AGENCY',
  otherCode: 'OTHER',
  reportId: randomUUID(),
  draftId: randomUUID(),
  webhookAgencyId: randomUUID(),
  disseminationId: randomUUID(),
  newDraft: () => Promise.resolve(randomUUID()),
  newInReview: () => Promise.resolve(randomUUID()),
};
