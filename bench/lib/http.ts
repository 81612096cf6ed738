/** A tiny JSON client for setting things up through the API, as an operator would. */
export interface Res<T> {
  status: number;
  body: T;
  ms: number;
}

export class Api {
  constructor(readonly base: string) {}

  async call<T = unknown>(method: string, path: string, opts: { token?: string; body?: unknown; timeoutMs?: number } = {}): Promise<Res<T>> {
    const headers: Record<string, string> = {};
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const t0 = performance.now();
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 600_000),
    });
    const text = await res.text();
    const ms = performance.now() - t0;
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: body as T, ms };
  }

  async expect<T = unknown>(status: number, method: string, path: string, opts: { token?: string; body?: unknown; timeoutMs?: number } = {}): Promise<T> {
    const res = await this.call<T>(method, path, opts);
    if (res.status !== status) throw new Error(`${method} ${path} → ${res.status} (expected ${status}): ${JSON.stringify(res.body).slice(0, 500)}`);
    return res.body;
  }

  async login(username: string, password: string): Promise<string> {
    const body = await this.expect<{ accessToken: string }>(200, 'POST', '/api/v1/auth/login', { body: { username, password } });
    return body.accessToken;
  }

  /**
   * A RESTRICTED national assessment distributed to `agencyCodes`, drafted and submitted for review by
   * the analyst behind `token`: ready for a SUPERVISOR to publish. Returns its id.
   */
  async reviewedAssessment(token: string, title: string, agencyCodes: string[]): Promise<string> {
    const draft = await this.expect<{ id: string }>(201, 'POST', '/api/v1/assessments', {
      token,
      body: {
        title,
        keyJudgements: ['A benchmark judgement'],
        body: 'Benchmark body.',
        likelihood: 'LIKELY',
        recommendedLevel: 'SUBSTANTIAL',
        scope: 'NATIONAL',
        sectors: ['TRANSPORT'],
        reportIds: [],
        classification: 'RESTRICTED',
        compartments: [],
        tlp: 'AMBER',
        validUntil: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        distribution: { agencyCodes },
      },
    });
    await this.expect(200, 'POST', `/api/v1/assessments/${draft.id}/submit`, { token });
    return draft.id;
  }
}
