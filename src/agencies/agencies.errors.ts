import { errorCodes } from '../common/domain.exception';

const agenciesErrors = errorCodes({
  /** An agency id or code (agencyId, releasableTo, distribution.agencyCodes) names no agency. */
  UNKNOWN_AGENCY: 400,
  AGENCY_CODE_TAKEN: 409,
  /** There is one fusion cell agency. */
  FUSION_CELL_EXISTS: 409,
  INVALID_WEBHOOK_URL: 400,
  INVALID_WEBHOOK_SECRET: 400,
});

export const AgenciesErrorCode = agenciesErrors.codes;
export type AgenciesErrorCode = keyof typeof AgenciesErrorCode;
export class AgenciesException extends agenciesErrors.Exception {}
