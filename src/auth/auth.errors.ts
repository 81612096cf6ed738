import { errorCodes } from '../common/domain.exception';

const authErrors = errorCodes({
  /** No bearer token, or one that is malformed, expired, forged or revoked. */
  INVALID_TOKEN: 401,
  INVALID_CREDENTIALS: 401,
  /** The route is not allowed for the caller's roles (audited DENIED). */
  ROLE_NOT_ALLOWED: 403,
  /** A temporary password's token serves only POST /api/v1/auth/password. */
  PASSWORD_CHANGE_REQUIRED: 403,
  SAME_PASSWORD: 400,
  WRONG_CURRENT_PASSWORD: 422,
});

export const AuthErrorCode = authErrors.codes;
export type AuthErrorCode = keyof typeof AuthErrorCode;
export class AuthException extends authErrors.Exception {}
