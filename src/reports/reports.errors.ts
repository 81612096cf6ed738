import { errorCodes } from '../common/domain.exception';

const reportsErrors = errorCodes({
  /** A report or an assessment marked above the author's clearance, or with compartments they do not hold. */
  MARKING_ABOVE_CLEARANCE: 403,
  /** An entity value (or the entity search's value) that normalising would have to truncate. */
  INVALID_ENTITY_VALUE: 400,
  /** The Idempotency-Key was used before with a different request. */
  IDEMPOTENCY_KEY_REUSED: 422,
  /** The first request with this Idempotency-Key has not finished yet. */
  IDEMPOTENCY_IN_PROGRESS: 409,
  /** The first request with this Idempotency-Key was forgotten meanwhile: send it again. */
  IDEMPOTENCY_KEY_FORGOTTEN: 409,
  /** Only the originating agency may validate a report. */
  NOT_ORIGINATING_AGENCY: 403,
});

export const ReportsErrorCode = reportsErrors.codes;
export type ReportsErrorCode = keyof typeof ReportsErrorCode;
export class ReportsException extends reportsErrors.Exception {}
