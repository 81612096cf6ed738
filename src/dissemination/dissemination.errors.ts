import { exceptionOf, type ErrorStatuses } from '../common/domain.exception';

export enum DisseminationErrorCode {
  /** Only a FAILED dissemination can be redriven. */
  NOT_REDRIVABLE = 'NOT_REDRIVABLE',
}

export const DISSEMINATION_ERROR_STATUS: ErrorStatuses<DisseminationErrorCode> = {
  NOT_REDRIVABLE: 409,
};

export class DisseminationException extends exceptionOf(DISSEMINATION_ERROR_STATUS) {}
