import { errorCodes } from '../common/domain.exception';

const healthErrors = errorCodes({
  /** PostgreSQL, Redis or the queue is down (named, with detail, to a reader of HealthDetails). */
  DEPENDENCY_DOWN: 503,
});

export const HealthErrorCode = healthErrors.codes;
export type HealthErrorCode = keyof typeof HealthErrorCode;
export class HealthException extends healthErrors.Exception {}
