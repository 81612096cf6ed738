import type { FastifyReply, FastifyRequest } from 'fastify';

/** A `<link>` (stylesheet, preconnect, font…) to another origin: an absolute http(s) or protocol-relative URL. */
const FOREIGN_LINK = /<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?\/\/[^>]*>\s*/gi;

/**
 * An onSend hook for the queue dashboard: its page (bull-board's `@bull-board/ui/dist/index.ejs`)
 * links a Google Fonts stylesheet for IBM Plex, which the API's Content-Security-Policy (`style-src
 * 'self'`) refuses, with an error in the browser's console. The page is served without any link to
 * another origin; its own CSS falls back to the system fonts (`--font-sans: "IBM Plex Sans", system-ui,
 * …`), so the dashboard asks nothing of a third party.
 */
export function withoutForeignLinks(_req: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  const type = String(reply.getHeader('content-type') ?? '');
  return Promise.resolve(typeof payload === 'string' && type.startsWith('text/html') ? payload.replace(FOREIGN_LINK, '') : payload);
}
