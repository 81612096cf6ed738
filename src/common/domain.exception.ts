/** Domain errors carry a stable code and the HTTP status the exception filter answers with. */
export class DomainException extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** A capability's error codes, each with the HTTP status it is answered with: the one place a code gets its status. */
export type ErrorStatuses<C extends string> = Readonly<Record<C, number>>;

/**
 * The exception class of a capability (Twenty's `XxxException` + `XxxExceptionCode`): a throw site names
 * the code and the message (and the offending `fields`, `reportIds`… as details); the status comes from
 * the capability's map.
 */
export function exceptionOf<C extends string>(statuses: ErrorStatuses<C>) {
  return class extends DomainException {
    constructor(code: C, message: string, details?: Record<string, unknown>) {
      super(statuses[code], code, message, details);
    }
  };
}
