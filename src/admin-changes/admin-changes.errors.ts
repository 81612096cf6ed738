import { errorCodes } from '../common/domain.exception';

const adminChangesErrors = errorCodes({
  /** The change was approved or rejected already. */
  CHANGE_DECIDED: 409,
  CHANGE_EXPIRED: 409,
  /** A change must be approved by another ADMIN than its requester. */
  SAME_ADMIN: 422,
  /** The requester is no longer an active ADMIN. */
  REQUESTER_GONE: 409,
  /** A user's creation waiting without its password (never written so; refused rather than applied). */
  CHANGE_WITHOUT_PASSWORD: 422,
});

export const AdminChangesErrorCode = adminChangesErrors.codes;
export type AdminChangesErrorCode = keyof typeof AdminChangesErrorCode;
export class AdminChangesException extends adminChangesErrors.Exception {}
