import { exceptionOf, type ErrorStatuses } from '../common/domain.exception';

export enum AssessmentsErrorCode {
  /** The assessment is not in the workflow state the action needs (DRAFT to edit or submit, IN_REVIEW to publish). */
  WRONG_STATE = 'WRONG_STATE',
  /** Only the author may edit or submit a draft. */
  NOT_AUTHOR = 'NOT_AUTHOR',
  /** The author may not publish their own assessment. */
  TWO_PERSON_RULE = 'TWO_PERSON_RULE',
  /** The assessment is marked lower than a cited report (classification, compartments, TLP); `reportIds` names them. */
  DERIVATIVE_MARKING = 'DERIVATIVE_MARKING',
  /** `reportIds` cites reports the author cannot read; `reportIds` names them. */
  CITES_UNREADABLE_REPORT = 'CITES_UNREADABLE_REPORT',
  TEARLINE_ABOVE_ASSESSMENT = 'TEARLINE_ABOVE_ASSESSMENT',
  /** `supersedes` does not name a current published assessment the author can read. */
  INVALID_SUPERSEDES = 'INVALID_SUPERSEDES',
  /** The publisher cannot read the assessment this one supersedes. */
  SUPERSEDES_UNREADABLE = 'SUPERSEDES_UNREADABLE',
  /** The superseded assessment was superseded or withdrawn since the draft was written. */
  SUPERSEDED_NOT_CURRENT = 'SUPERSEDED_NOT_CURRENT',
}

export const ASSESSMENTS_ERROR_STATUS: ErrorStatuses<AssessmentsErrorCode> = {
  WRONG_STATE: 409,
  NOT_AUTHOR: 403,
  TWO_PERSON_RULE: 422,
  DERIVATIVE_MARKING: 422,
  CITES_UNREADABLE_REPORT: 422,
  TEARLINE_ABOVE_ASSESSMENT: 422,
  INVALID_SUPERSEDES: 422,
  SUPERSEDES_UNREADABLE: 422,
  SUPERSEDED_NOT_CURRENT: 409,
};

export class AssessmentsException extends exceptionOf(ASSESSMENTS_ERROR_STATUS) {}
