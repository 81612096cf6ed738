import { errorCodes } from '../common/domain.exception';

const disseminationErrors = errorCodes({
  /** Only a FAILED dissemination can be redriven. */
  NOT_REDRIVABLE: 409,
});

export const DisseminationErrorCode = disseminationErrors.codes;
export type DisseminationErrorCode = keyof typeof DisseminationErrorCode;
export class DisseminationException extends disseminationErrors.Exception {}
