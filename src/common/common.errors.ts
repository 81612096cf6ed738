import { errorCodes } from './domain.exception';

/**
 * Codes of no single capability: the request itself, need-to-know's one 404, the database. The exception
 * filter also answers errors it did not raise (Fastify's, the router's) with the status phrase in upper
 * snake case; the phrases it can give are here too, so every code a client sees is in one list.
 */
const commonErrors = errorCodes({
  /** The input breaks a rule of its shape; `fields` names every offending field. */
  VALIDATION: 400,
  /** The request is malformed (not JSON, aborted, a value PostgreSQL cannot read). */
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  /** Missing, or not readable: the same answer for both, so existence is never disclosed. */
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  /** A write raced another and lost on a unique key. */
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL_SERVER_ERROR: 500,
  /** A lock, a serialisation failure or a timeout: retry. */
  DATABASE_BUSY: 503,
  /** PostgreSQL cannot be reached or is not accepting connections: retry later. */
  DATABASE_UNAVAILABLE: 503,
});

export const CommonErrorCode = commonErrors.codes;
export type CommonErrorCode = keyof typeof CommonErrorCode;
export class CommonException extends commonErrors.Exception {}

/** Need-to-know's 404: one code and one message for a missing item and an unreadable one. */
export const notFound = (what = 'Resource') => new CommonException(CommonErrorCode.NOT_FOUND, `${what} not found`);
