import 'reflect-metadata';
import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AbilityFactory } from '../../access/ability.factory';
import { CLASSIFICATIONS, TLPS, dominates, type Classification } from '../../access/markings';
import { Agency } from '../../agencies/agency.entity';
import { AuditModule } from '../../audit/audit.module';
import { AuditWriter } from '../../audit/audit-writer';
import { systemContext } from '../../access/request-context';
import { PasswordService } from '../../users/password.service';
import { toPrincipal } from '../../auth/principal.service';
import { type AppConfig, ConfigError, loadConfig } from '../../config/app-config';
import { GivenConfigModule } from '../../config/config.module';
import { ReportsModule } from '../../reports/reports.module';
import { ReportsService } from '../../reports/reports.service';
import { User } from '../../users/user.entity';
import { dataSourceOptions } from '../data-source';
import { DEMO_AGENCIES, DEMO_USERS, prng, SCENARIOS } from './demo-data';

export const DEMO_REPORTS = 300;

export interface DemoCredentials {
  [username: string]: string;
}

/** Just what seeding needs: the database, the audit log and the intake service. */
@Module({})
export class SeedModule {
  static forConfig(config: AppConfig): DynamicModule {
    return {
      module: SeedModule,
      imports: [GivenConfigModule.of(config), TypeOrmModule.forRoot(dataSourceOptions(config)), AuditModule, ReportsModule],
      providers: [PasswordService],
    };
  }
}

/**
 * Idempotent demo data: agencies of every kind (by code), users for every role (by username; their
 * passwords are set afresh and returned, never stored anywhere else), and DEMO_REPORTS reports
 * submitted through the intake service with Idempotency-Keys — so a re-run adds nothing.
 */
export async function seedDemo(app: INestApplicationContext): Promise<{ credentials: DemoCredentials; reports: number }> {
  const ds = app.get<DataSource>(getDataSourceToken());
  const passwords = app.get(PasswordService);
  const reports = app.get(ReportsService);
  const abilities = new AbilityFactory();

  for (const a of DEMO_AGENCIES) {
    const exists = await ds.getRepository(Agency).findOneBy(a.kind === 'FUSION_CELL' ? { kind: 'FUSION_CELL' } : { code: a.code });
    if (!exists) await ds.getRepository(Agency).save(ds.getRepository(Agency).create({ ...a, active: true }));
  }
  const agencies = new Map((await ds.getRepository(Agency).find()).map((a) => [a.kind === 'FUSION_CELL' ? 'FUSION' : a.code, a]));

  // Users are written through the database, not the admin API: seeding is the operator's act, not an
  // ADMIN's sensitive change waiting for a second one (SPEC S1). Each write is audited as `(seed-user-N)`.
  const audit = app.get(AuditWriter);
  const credentials: DemoCredentials = {};
  for (const [i, u] of DEMO_USERS.entries()) {
    const agency = agencies.get(u.agency);
    if (!agency) throw new Error(`demo agency ${u.agency} missing`);
    const password = `demo-${randomBytes(9).toString('base64url')}`;
    const passwordHash = await passwords.hash(password);
    await ds.transaction(async (m) => {
      const existing = await m.findOneBy(User, { username: u.username });
      // A password set afresh is not temporary, and revokes the user's older tokens.
      if (existing) await m.update(User, { id: existing.id }, { passwordHash, active: true, passwordChangeRequired: false, tokenVersion: existing.tokenVersion + 1 });
      const user =
        existing ??
        (await m.save(m.create(User, { username: u.username, passwordHash, agencyId: agency.id, roles: u.roles, clearance: u.clearance, compartments: u.compartments, active: true })));
      await audit.record(
        systemContext(`seed-user-${i}`),
        {
          action: existing ? 'user.update' : 'user.create',
          resourceType: 'User',
          resourceId: user.id,
          outcome: 'ALLOWED',
          details: existing ? { passwordReset: true, active: true, seeded: true } : { username: u.username, agencyId: agency.id, roles: u.roles, clearance: u.clearance, seeded: true },
        },
        m,
      );
    });
    credentials[u.username] = password;
  }

  const officers = await ds.getRepository(User).find({ where: DEMO_USERS.filter((u) => u.roles.includes('OFFICER')).map((u) => ({ username: u.username })), relations: { agency: true }, order: { username: 'ASC' } });
  const random = prng(20261128);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const codes = DEMO_AGENCIES.filter((a) => a.kind !== 'FUSION_CELL').map((a) => a.code);
  let made = 0;
  for (let i = 0; i < DEMO_REPORTS; i++) {
    const scenario = SCENARIOS[i % SCENARIOS.length];
    const officer = officers[Math.floor(random() * officers.length)];
    const principal = toPrincipal(officer);
    const allowed = CLASSIFICATIONS.filter((c) => dominates(principal.clearance, c));
    const classification: Classification = pick(allowed);
    const entityTypes = Object.entries(scenario.pools);
    const entities = entityTypes.slice(0, 1 + Math.floor(random() * entityTypes.length)).map(([type, values]) => ({ type: type as never, value: pick(values) }));
    const occurred = new Date(Date.UTC(2026, 8 + Math.floor(random() * 3), 1 + Math.floor(random() * 28), Math.floor(random() * 24)));
    const ctx = { ...systemContext(`seed-${i}`), principal, ability: abilities.createFor(principal) };
    const out = await reports.create(
      ctx,
      {
        title: `${pick(scenario.titles)} (${i + 1})`,
        narrative: `${scenario.narrative} Reporting officer: ${principal.username}.`,
        category: scenario.category,
        occurredAt: occurred.toISOString(),
        location: { placeName: pick(['Central Station', 'Port of Dover', 'Riverside', 'Docklands', 'Airport Terminal 2']), region: pick(['CAPITAL', 'NORTH', 'SOUTH', 'EAST', 'WEST']) },
        sourceReliability: pick(['A', 'B', 'C', 'D', 'E', 'F'] as const),
        informationCredibility: 1 + Math.floor(random() * 6),
        classification,
        compartments: principal.compartments.filter(() => random() < 0.2),
        tlp: pick(TLPS),
        releasableTo: codes.filter((c) => c !== principal.agencyCode && random() < 0.15),
        sourceDescription: `Source ${1000 + i}, handled by ${principal.agencyCode}`,
        suspicionBasis: 'Behaviour and associations observed by the reporting officer indicate possible involvement in criminal activity.',
        entities,
      },
      `demo-seed-${i}`,
    );
    if (!out.replayed) made += 1;
  }
  return { credentials, reports: made };
}

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(SeedModule.forConfig(loadConfig()), { logger: ['error', 'warn'] });
  try {
    const { credentials, reports } = await seedDemo(app);
    process.stdout.write(`Demo data ready: ${DEMO_AGENCIES.length} agencies, ${DEMO_USERS.length} users, ${reports} new reports.\n`);
    process.stdout.write('Demo logins (passwords are new on every run and shown only here):\n');
    for (const [u, p] of Object.entries(credentials)) process.stdout.write(`  ${u.padEnd(20)} ${p}\n`);
  } finally {
    await app.close();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`seed failed: ${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
