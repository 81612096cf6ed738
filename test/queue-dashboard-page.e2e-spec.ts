import { TestApp } from './support/test-app';

/** The dashboard's page and the stylesheets it links come from the API itself: nothing a CSP of 'self' refuses. */
describe('queue dashboard page: no third-party origin', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  // Any URL with a scheme or a host (http:, https:, protocol-relative //host) points elsewhere.
  const FOREIGN = /(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i;
  const attributes = (html: string) => [...html.matchAll(/\b(?:href|src)\s*=\s*["']?([^"'\s>]+)/gi)].map((m) => m[1]);

  it('serves the page and its CSS to ADMIN without a link to another origin (no Google Fonts)', async () => {
    const token = await t.adminToken();
    const page = await t.get('/admin/queues', { token });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.text).toContain('<link href="static/css/'); // bull-board's own stylesheet stays
    expect(attributes(page.text).filter((url) => FOREIGN.test(url))).toEqual([]);
    expect(page.text).not.toMatch(/fonts\.googleapis|fonts\.gstatic/);

    const sheets = attributes(page.text).filter((url) => url.endsWith('.css'));
    expect(sheets.length).toBeGreaterThan(0);
    for (const sheet of sheets) {
      const css = await t.get(`/admin/queues/${sheet}`, { token });
      expect({ sheet, status: css.status }).toEqual({ sheet, status: 200 });
      expect({ sheet, foreign: [...css.text.matchAll(/(?:url\(|@import)\s*["']?([^"')\s;]+)/gi)].map((m) => m[1]).filter((u) => FOREIGN.test(u)) }).toEqual({ sheet, foreign: [] });
    }
  });
});
