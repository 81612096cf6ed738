import type { Classification } from '../../src/access/markings';
import type { Role } from '../../src/access/roles';
import type { AgencyKind } from '../../src/agencies/agency.entity';
import { type Res, type TestApp, uniq } from './test-app';

export interface AgencyRef {
  id: string;
  code: string;
  kind: AgencyKind;
  accreditation: Classification;
}

export interface Actor {
  id: string;
  username: string;
  token: string;
  agency: AgencyRef;
  roles: Role[];
  clearance: Classification;
  compartments: string[];
}

export const PASSWORD = 'correct-horse-battery-staple';

/**
 * The second ADMIN of every test database (SPEC S1 four eyes): made once per database by the first
 * Fixtures that needs it, so that from then on every sensitive change through the API answers 202 and
 * is approved by it — the same in every suite, whatever order they run in.
 */
export const CHECKER = { username: 'checker', password: 'checker-password-0001' } as const;

/** Makes agencies and users through the admin API, as an operator would. */
export class Fixtures {
  private adminToken?: string;
  private cell?: AgencyRef;

  constructor(private readonly t: TestApp) {}

  private checkerToken?: string;

  async admin(): Promise<string> {
    if (!this.adminToken) {
      const token = await this.t.adminToken();
      this.checkerToken = await this.ensureChecker(token);
      this.adminToken = token;
    }
    return this.adminToken;
  }

  /** The token of the second ADMIN ({@link CHECKER}), who approves what the first asks. */
  async checker(): Promise<string> {
    await this.admin();
    return this.checkerToken as string;
  }

  /**
   * Logs the checker in, creating it first if this database has none (while `admin` is the only ADMIN,
   * directly). A suite racing another to create it gets 409 (or 202 once the other's is in): either way
   * the checker then exists.
   */
  private async ensureChecker(adminToken: string): Promise<string> {
    const login = await this.t.post('/api/v1/auth/login', { body: CHECKER });
    if (login.status === 200) return login.body.accessToken as string;
    const cell = (await this.t.get('/api/v1/agencies', { token: adminToken })).body.find((a: AgencyRef) => a.kind === 'FUSION_CELL') as AgencyRef;
    const res = await this.t.post('/api/v1/users', {
      token: adminToken,
      body: { ...CHECKER, agencyId: cell.id, roles: ['ADMIN'], clearance: 'UNCLASSIFIED', compartments: [] },
    });
    if (![201, 202, 409].includes(res.status)) throw new Error(`checker → ${res.status} ${res.text}`);
    return this.t.login(CHECKER.username, CHECKER.password);
  }

  /**
   * A sensitive change's answer, approved by the checker when it waits (202): the approval's `result`,
   * i.e. what the request would have answered without four eyes, with its status.
   */
  async approved<T = any>(res: Res<T>): Promise<Res<T>> {
    if (res.status !== 202) return res;
    const changeId = (res.body as { changeId: string }).changeId;
    const ok = await this.t.post(`/api/v1/admin/changes/${changeId}/approve`, { token: await this.checker() });
    if (ok.status !== 200) throw new Error(`approve ${changeId} → ${ok.status} ${ok.text}`);
    return { ...ok, body: ok.body.result as T };
  }

  /** PUT /agencies/:id/webhook as the admin, approved by the checker (200 and the setting, or the refusal as it is). */
  async webhook(agencyId: string, body: { url: string; secret?: string }): Promise<Res> {
    return this.approved(await this.t.call('PUT', `/api/v1/agencies/${agencyId}/webhook`, { token: await this.admin(), body }));
  }

  async fusionCell(): Promise<AgencyRef> {
    if (!this.cell) {
      const res = await this.t.get('/api/v1/agencies', { token: await this.admin() });
      this.cell = (res.body as AgencyRef[]).find((a) => a.kind === 'FUSION_CELL');
      if (!this.cell) throw new Error('no fusion cell');
    }
    return this.cell;
  }

  async agency(kind: AgencyKind = 'POLICE', accreditation: Classification = 'TOP_SECRET'): Promise<AgencyRef> {
    const code = uniq(kind.slice(0, 4));
    const res = await this.t.post('/api/v1/agencies', {
      token: await this.admin(),
      body: { code, name: `${kind} ${code}`, kind, accreditation },
    });
    if (res.status !== 201) throw new Error(`agency → ${res.status} ${res.text}`);
    return res.body as AgencyRef;
  }

  async user(
    agency: AgencyRef,
    roles: Role[],
    clearance: Classification = 'SECRET',
    compartments: string[] = [],
  ): Promise<Actor> {
    const username = `u${uniq().toLowerCase()}`;
    const asked = await this.t.post('/api/v1/users', {
      token: await this.admin(),
      body: { username, password: PASSWORD, agencyId: agency.id, roles, clearance, compartments },
    });
    const res = await this.approved(asked);
    if (![201, 202].includes(asked.status) || res.status !== (asked.status === 202 ? 200 : 201)) throw new Error(`user → ${res.status} ${res.text}`);
    const token = await this.t.login(username, PASSWORD);
    return { id: res.body.id, username, token, agency, roles, clearance, compartments };
  }
}
