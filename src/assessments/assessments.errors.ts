import { errorCodes } from '../common/domain.exception';

const assessmentsErrors = errorCodes({
  /** The assessment is not in the workflow state the action needs (DRAFT to edit or submit, IN_REVIEW to publish). */
  WRONG_STATE: 409,
  /** Only the author may edit or submit a draft. */
  NOT_AUTHOR: 403,
  /** The author may not publish their own assessment. */
  TWO_PERSON_RULE: 422,
  /** The assessment is marked lower than a cited report (classification, compartments, TLP); `reportIds` names them. */
  DERIVATIVE_MARKING: 422,
  /** `reportIds` cites reports the author cannot read; `reportIds` names them. */
  CITES_UNREADABLE_REPORT: 422,
  TEARLINE_ABOVE_ASSESSMENT: 422,
  /** `supersedes` does not name a current published assessment the author can read. */
  INVALID_SUPERSEDES: 422,
  /** The publisher cannot read the assessment this one supersedes. */
  SUPERSEDES_UNREADABLE: 422,
  /** The superseded assessment was superseded or withdrawn since the draft was written. */
  SUPERSEDED_NOT_CURRENT: 409,
});

export const AssessmentsErrorCode = assessmentsErrors.codes;
export type AssessmentsErrorCode = keyof typeof AssessmentsErrorCode;
export class AssessmentsException extends assessmentsErrors.Exception {}
