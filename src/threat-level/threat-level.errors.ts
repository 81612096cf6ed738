import { exceptionOf, type ErrorStatuses } from '../common/domain.exception';

export enum ThreatLevelErrorCode {
  /** `assessmentIds` names assessments that are not published or not readable; `assessmentIds` lists them. */
  ASSESSMENT_NOT_CITABLE = 'ASSESSMENT_NOT_CITABLE',
}

export const THREAT_LEVEL_ERROR_STATUS: ErrorStatuses<ThreatLevelErrorCode> = {
  ASSESSMENT_NOT_CITABLE: 422,
};

export class ThreatLevelException extends exceptionOf(THREAT_LEVEL_ERROR_STATUS) {}
