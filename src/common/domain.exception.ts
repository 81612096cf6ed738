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
 * A capability's error codes (Twenty's `XxxExceptionCode` + `XxxException`), each written once with its
 * status: `codes` is the enum (`codes.X === 'X'`), `Exception` the class whose throw site names a code
 * and the message (and the offending `fields`, `reportIds`… as details), never a status; its static
 * `statuses` maps each code to its status.
 */
export function errorCodes<C extends string>(statuses: ErrorStatuses<C>) {
  const codes = Object.fromEntries(Object.keys(statuses).map((c) => [c, c])) as { readonly [K in C]: K };
  class Exception extends DomainException {
    static readonly statuses = statuses;
    constructor(code: C, message: string, details?: Record<string, unknown>) {
      super(statuses[code], code, message, details);
    }
  }
  return { codes, Exception };
}
