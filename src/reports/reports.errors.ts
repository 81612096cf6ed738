import { exceptionOf, type ErrorStatuses } from '../common/domain.exception';

export enum ReportsErrorCode {
  /** A report or an assessment marked above the author's clearance, or with compartments they do not hold. */
  MARKING_ABOVE_CLEARANCE = 'MARKING_ABOVE_CLEARANCE',
  /** An entity value (or the entity search's value) that normalising would have to truncate. */
  INVALID_ENTITY_VALUE = 'INVALID_ENTITY_VALUE',
  /** The Idempotency-Key was used before with a different request. */
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  /** The first request with this Idempotency-Key has not finished yet. */
  IDEMPOTENCY_IN_PROGRESS = 'IDEMPOTENCY_IN_PROGRESS',
  /** The first request with this Idempotency-Key was forgotten meanwhile: send it again. */
  IDEMPOTENCY_KEY_FORGOTTEN = 'IDEMPOTENCY_KEY_FORGOTTEN',
  /** Only the originating agency may validate a report. */
  NOT_ORIGINATING_AGENCY = 'NOT_ORIGINATING_AGENCY',
}

export const REPORTS_ERROR_STATUS: ErrorStatuses<ReportsErrorCode> = {
  MARKING_ABOVE_CLEARANCE: 403,
  INVALID_ENTITY_VALUE: 400,
  IDEMPOTENCY_KEY_REUSED: 422,
  IDEMPOTENCY_IN_PROGRESS: 409,
  IDEMPOTENCY_KEY_FORGOTTEN: 409,
  NOT_ORIGINATING_AGENCY: 403,
};

export class ReportsException extends exceptionOf(REPORTS_ERROR_STATUS) {}
