/** The client's X-Request-Id as the adapter kept it (app.setup.ts), or null. */
export function clientRequestIdOf(raw: unknown): string | null {
  const id = (raw as { clientRequestId?: unknown } | null)?.clientRequestId;
  return typeof id === 'string' ? id : null;
}
