import { exceptionOf, type ErrorStatuses } from '../common/domain.exception';

export enum UsersErrorCode {
  USERNAME_TAKEN = 'USERNAME_TAKEN',
  /** A PATCH that names nothing to change. */
  NOTHING_TO_CHANGE = 'NOTHING_TO_CHANGE',
  /** The agency of an approved new user was removed while the change waited. */
  AGENCY_GONE = 'AGENCY_GONE',
  /** The user changed between a sensitive change being asked for and its approval. */
  TARGET_CHANGED = 'TARGET_CHANGED',
  /** The user changed while this request was made (it became sensitive): send it again. */
  USER_CHANGED = 'USER_CHANGED',
  /** An ADMIN may not deactivate themselves or drop their own ADMIN role. */
  OWN_ADMIN_ROLE = 'OWN_ADMIN_ROLE',
  /** One's own password changes through POST /api/v1/auth/password, with the current one. */
  OWN_PASSWORD = 'OWN_PASSWORD',
  CLEARANCE_ABOVE_ACCREDITATION = 'CLEARANCE_ABOVE_ACCREDITATION',
  /** ANALYST and SUPERVISOR are for members of the fusion cell only. */
  ROLE_OUTSIDE_CELL = 'ROLE_OUTSIDE_CELL',
  /** AUDITOR and ADMIN cannot be combined with a content role. */
  SEPARATION_OF_DUTIES = 'SEPARATION_OF_DUTIES',
}

export const USERS_ERROR_STATUS: ErrorStatuses<UsersErrorCode> = {
  USERNAME_TAKEN: 409,
  NOTHING_TO_CHANGE: 400,
  AGENCY_GONE: 422,
  TARGET_CHANGED: 409,
  USER_CHANGED: 409,
  OWN_ADMIN_ROLE: 422,
  OWN_PASSWORD: 422,
  CLEARANCE_ABOVE_ACCREDITATION: 422,
  ROLE_OUTSIDE_CELL: 422,
  SEPARATION_OF_DUTIES: 422,
};

export class UsersException extends exceptionOf(USERS_ERROR_STATUS) {}
