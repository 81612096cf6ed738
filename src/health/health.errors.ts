import { exceptionOf, type ErrorStatuses } from '../common/domain.exception';

export enum HealthErrorCode {
  /** PostgreSQL, Redis or the queue is down (named, with detail, to a reader of HealthDetails). */
  DEPENDENCY_DOWN = 'DEPENDENCY_DOWN',
}

export const HEALTH_ERROR_STATUS: ErrorStatuses<HealthErrorCode> = {
  DEPENDENCY_DOWN: 503,
};

export class HealthException extends exceptionOf(HEALTH_ERROR_STATUS) {}
