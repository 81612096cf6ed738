import { errorCodes } from '../common/domain.exception';

const threatLevelErrors = errorCodes({
  /** `assessmentIds` names assessments that are not published or not readable; `assessmentIds` lists them. */
  ASSESSMENT_NOT_CITABLE: 422,
});

export const ThreatLevelErrorCode = threatLevelErrors.codes;
export type ThreatLevelErrorCode = keyof typeof ThreatLevelErrorCode;
export class ThreatLevelException extends threatLevelErrors.Exception {}
