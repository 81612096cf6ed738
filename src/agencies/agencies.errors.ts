import { exceptionOf, type ErrorStatuses } from '../common/domain.exception';

export enum AgenciesErrorCode {
  /** An agency id or code (agencyId, releasableTo, distribution.agencyCodes) names no agency. */
  UNKNOWN_AGENCY = 'UNKNOWN_AGENCY',
  AGENCY_CODE_TAKEN = 'AGENCY_CODE_TAKEN',
  /** There is one fusion cell agency. */
  FUSION_CELL_EXISTS = 'FUSION_CELL_EXISTS',
  INVALID_WEBHOOK_URL = 'INVALID_WEBHOOK_URL',
  INVALID_WEBHOOK_SECRET = 'INVALID_WEBHOOK_SECRET',
}

export const AGENCIES_ERROR_STATUS: ErrorStatuses<AgenciesErrorCode> = {
  UNKNOWN_AGENCY: 400,
  AGENCY_CODE_TAKEN: 409,
  FUSION_CELL_EXISTS: 409,
  INVALID_WEBHOOK_URL: 400,
  INVALID_WEBHOOK_SECRET: 400,
};

export class AgenciesException extends exceptionOf(AGENCIES_ERROR_STATUS) {}
