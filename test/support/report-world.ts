import fc from 'fast-check';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource, type QueryRunner, type Repository } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';
import { CLASSIFICATIONS } from '../../src/access/markings';
import type { Principal } from '../../src/access/principal';
import { ROLES } from '../../src/access/roles';
import { Agency, type AgencyKind } from '../../src/agencies/agency.entity';
import { loadConfig } from '../../src/config/app-config';
import { dataSourceOptions } from '../../src/database/data-source';
import { Report } from '../../src/reports/report.entity';
import { User } from '../../src/users/user.entity';

/** The compartments of the generated reports and principals. */
export const COMPARTMENTS = ['HUMINT', 'SIGINT', 'FININT'] as const;

/** A code unique to this run, e.g. `POL1A2B3C4D`. */
export const uniqueCode = (prefix: string): string => `${prefix}${randomBytes(4).toString('hex').toUpperCase()}`;

/**
 * Four agencies (police, customs, border, security service) and a user who creates reports, written
 * in one transaction that `closeReportWorld` rolls back: nothing is left behind, and the e2e suites
 * sharing the database never see these rows — in particular the user, whose committed presence would
 * stop the app's first-run bootstrap (it only creates `admin` on an empty users table).
 */
export interface ReportWorld {
  ds: DataSource;
  tx: QueryRunner;
  reports: Repository<Report>;
  agencies: Agency[];
  creatorId: string;
}

export async function openReportWorld(label: string, isolation?: IsolationLevel): Promise<ReportWorld> {
  const ds = new DataSource({ ...dataSourceOptions(loadConfig()), logging: ['error'] });
  await ds.initialize();
  const tx = ds.createQueryRunner();
  await tx.connect();
  await tx.startTransaction(isolation);
  const m = tx.manager;
  const kinds: AgencyKind[] = ['POLICE', 'CUSTOMS', 'BORDER', 'SECURITY_SERVICE'];
  const agencies = await m.save(kinds.map((kind) => m.create(Agency, { code: uniqueCode(kind.slice(0, 3)), name: `${kind} (${label})`, kind, accreditation: 'TOP_SECRET' })));
  const creator = await m.save(
    m.create(User, {
      username: `${label.replace(/\W+/g, '-')}-${uniqueCode('').toLowerCase()}`,
      passwordHash: 'not-a-hash: this account cannot log in',
      agencyId: agencies[0].id,
      roles: ['OFFICER'],
      clearance: 'TOP_SECRET',
      compartments: [...COMPARTMENTS],
    }),
  );
  return { ds, tx, reports: m.getRepository(Report), agencies, creatorId: creator.id };
}

export async function closeReportWorld(world: ReportWorld | undefined): Promise<void> {
  if (world?.tx.isTransactionActive) await world.tx.rollbackTransaction();
  await world?.tx.release();
  await world?.ds.destroy();
}

/** A generated caller, by index into the world's agencies. */
export interface PrincipalSpec {
  /** An index into the world's agencies, or 4: an agency no report comes from or is released to. */
  agency: number;
  inFusionCell: boolean;
  /** An oversight body's member (kind OVERSIGHT); false when absent. */
  inOversightAgency?: boolean;
  roles: Principal['roles'];
  clearance: Principal['clearance'];
  compartments: string[];
}

export const principalArb: fc.Arbitrary<PrincipalSpec> = fc.record({
  agency: fc.integer({ min: 0, max: 4 }),
  inFusionCell: fc.boolean(),
  inOversightAgency: fc.boolean(),
  roles: fc.shuffledSubarray([...ROLES], { minLength: 1 }),
  clearance: fc.constantFrom(...CLASSIFICATIONS),
  compartments: fc.shuffledSubarray([...COMPARTMENTS, 'OTHER']),
});

/** The principal of `spec` among `agencies` (an index past them: `outsider`, an agency of no report). */
export function principalIn(agencies: Agency[], spec: PrincipalSpec, outsider = { id: randomUUID(), code: uniqueCode('OUT') }): Principal {
  const agency = spec.agency < agencies.length ? agencies[spec.agency] : outsider;
  return {
    id: randomUUID(),
    username: 'generated',
    agencyId: agency.id,
    agencyCode: agency.code,
    inFusionCell: spec.inFusionCell,
    inOversightAgency: spec.inOversightAgency ?? false,
    roles: spec.roles,
    clearance: spec.clearance,
    compartments: spec.compartments,
  };
}
