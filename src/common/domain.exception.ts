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

export const badRequest = (message: string, details?: Record<string, unknown>) =>
  new DomainException(400, 'BAD_REQUEST', message, details);
export const forbidden = (message: string) => new DomainException(403, 'FORBIDDEN', message);
export const notFound = (what = 'Resource') => new DomainException(404, 'NOT_FOUND', `${what} not found`);
export const conflict = (message: string) => new DomainException(409, 'CONFLICT', message);
export const unprocessable = (message: string, details?: Record<string, unknown>) =>
  new DomainException(422, 'UNPROCESSABLE_ENTITY', message, details);
export const tooManyRequests = (message: string) => new DomainException(429, 'TOO_MANY_REQUESTS', message);
export const unavailable = (message: string) => new DomainException(503, 'SERVICE_UNAVAILABLE', message);
