import { exceptionOf, type ErrorStatuses } from '../common/domain.exception';

export enum AuthErrorCode {
  /** No bearer token, or one that is malformed, expired, forged or revoked. */
  INVALID_TOKEN = 'INVALID_TOKEN',
  INVALID_CREDENTIALS = 'INVALID_CREDENTIALS',
  /** The route is not allowed for the caller's roles (audited DENIED). */
  ROLE_NOT_ALLOWED = 'ROLE_NOT_ALLOWED',
  /** A temporary password's token serves only POST /api/v1/auth/password. */
  PASSWORD_CHANGE_REQUIRED = 'PASSWORD_CHANGE_REQUIRED',
  SAME_PASSWORD = 'SAME_PASSWORD',
  WRONG_CURRENT_PASSWORD = 'WRONG_CURRENT_PASSWORD',
}

export const AUTH_ERROR_STATUS: ErrorStatuses<AuthErrorCode> = {
  INVALID_TOKEN: 401,
  INVALID_CREDENTIALS: 401,
  ROLE_NOT_ALLOWED: 403,
  PASSWORD_CHANGE_REQUIRED: 403,
  SAME_PASSWORD: 400,
  WRONG_CURRENT_PASSWORD: 422,
};

export class AuthException extends exceptionOf(AUTH_ERROR_STATUS) {}
