import { errorCodes } from '../common/domain.exception';

const usersErrors = errorCodes({
  USERNAME_TAKEN: 409,
  /** A PATCH that names nothing to change. */
  NOTHING_TO_CHANGE: 400,
  /** The agency of an approved new user was removed while the change waited. */
  AGENCY_GONE: 422,
  /** The user changed between a sensitive change being asked for and its approval. */
  TARGET_CHANGED: 409,
  /** The user changed while this request was made (it became sensitive): send it again. */
  USER_CHANGED: 409,
  /** An ADMIN may not deactivate themselves or drop their own ADMIN role. */
  OWN_ADMIN_ROLE: 422,
  /** One's own password changes through POST /api/v1/auth/password, with the current one. */
  OWN_PASSWORD: 422,
  CLEARANCE_ABOVE_ACCREDITATION: 422,
  /** ANALYST and SUPERVISOR are for members of the fusion cell only. */
  ROLE_OUTSIDE_CELL: 422,
  /** AUDITOR and ADMIN cannot be combined with a content role. */
  SEPARATION_OF_DUTIES: 422,
});

export const UsersErrorCode = usersErrors.codes;
export type UsersErrorCode = keyof typeof UsersErrorCode;
export class UsersException extends usersErrors.Exception {}
