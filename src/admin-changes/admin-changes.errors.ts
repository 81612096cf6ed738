import { exceptionOf, type ErrorStatuses } from '../common/domain.exception';

export enum AdminChangesErrorCode {
  /** The change was approved or rejected already. */
  CHANGE_DECIDED = 'CHANGE_DECIDED',
  CHANGE_EXPIRED = 'CHANGE_EXPIRED',
  /** A change must be approved by another ADMIN than its requester. */
  SAME_ADMIN = 'SAME_ADMIN',
  /** The requester is no longer an active ADMIN. */
  REQUESTER_GONE = 'REQUESTER_GONE',
  /** A user's creation waiting without its password (never written so; refused rather than applied). */
  CHANGE_WITHOUT_PASSWORD = 'CHANGE_WITHOUT_PASSWORD',
}

export const ADMIN_CHANGES_ERROR_STATUS: ErrorStatuses<AdminChangesErrorCode> = {
  CHANGE_DECIDED: 409,
  CHANGE_EXPIRED: 409,
  SAME_ADMIN: 422,
  REQUESTER_GONE: 409,
  CHANGE_WITHOUT_PASSWORD: 422,
};

export class AdminChangesException extends exceptionOf(ADMIN_CHANGES_ERROR_STATUS) {}
