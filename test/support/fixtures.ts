import type { Classification } from '../../src/access/markings';
import type { Role } from '../../src/access/roles';
import type { AgencyKind } from '../../src/agencies/agency.entity';
import { type TestApp, uniq } from './app';

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

/** Makes agencies and users through the admin API, as an operator would. */
export class Fixtures {
  private adminToken?: string;
  private cell?: AgencyRef;

  constructor(private readonly t: TestApp) {}

  async admin(): Promise<string> {
    this.adminToken ??= await this.t.adminToken();
    return this.adminToken;
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
    const res = await this.t.post('/api/v1/users', {
      token: await this.admin(),
      body: { username, password: PASSWORD, agencyId: agency.id, roles, clearance, compartments },
    });
    if (res.status !== 201) throw new Error(`user → ${res.status} ${res.text}`);
    const token = await this.t.login(username, PASSWORD);
    return { id: res.body.id, username, token, agency, roles, clearance, compartments };
  }
}

export { reportBody } from './report-body';
