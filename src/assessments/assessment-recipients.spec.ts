import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { rolledBack } from '../../test/support/rolled-back';
import { AbilityFactory, asSubject } from '../access/ability.factory';
import { CLASSIFICATIONS } from '../access/markings';
import type { Principal } from '../access/principal';
import { ROLES } from '../access/roles';
import { Agency } from '../agencies/agency.entity';
import { Assessment } from '../assessments/assessment.entity';
import { User } from '../users/user.entity';
import { recipientsQuery } from './assessment-recipients';

/*
 * The outbox decides which variant an agency receives by asking PostgreSQL whether someone there may
 * read the assessment in full, or its tearline (recipientsQuery). That SQL is a copy of the ability
 * factory's rules turned around (users for an item, not items for a user): these properties compare it
 * with `ability.can` for random users and assessments, so the two cannot drift apart unnoticed.
 * Everything is written in one transaction, rolled back at the end.
 */

const tx = rolledBack();
const factory = new AbilityFactory();
const code = (prefix: string): string => `${prefix}${randomBytes(4).toString('hex').toUpperCase()}`;

const COMPARTMENTS = ['HUMINT', 'SIGINT'];
const userArb = fc.record({
  roles: fc.shuffledSubarray([...ROLES], { minLength: 1 }),
  clearance: fc.constantFrom(...CLASSIFICATIONS),
  compartments: fc.shuffledSubarray([...COMPARTMENTS, 'OTHER']),
  active: fc.boolean(),
});
const assessmentArb = fc.record({
  classification: fc.constantFrom(...CLASSIFICATIONS),
  compartments: fc.shuffledSubarray(COMPARTMENTS),
  tearline: fc.option(fc.constantFrom(...CLASSIFICATIONS)),
});

describe('recipientsQuery agrees with the ability factory', () => {
  it('finds a full reader and a tearline reader in an agency exactly when one of its active users may read it so', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(userArb, { maxLength: 4 }), { minLength: 1, maxLength: 3 }), assessmentArb, async (staff, markings) => {
        const m = tx.manager;
        const agencies = await m.save(staff.map(() => m.create(Agency, { code: code('OBX'), name: 'outbox-readers spec', kind: 'POLICE', accreditation: 'TOP_SECRET' })));
        const users = await m.save(
          staff.flatMap((members, i) =>
            members.map((u) => m.create(User, { ...u, username: `outbox-${code('').toLowerCase()}`, passwordHash: 'not-a-hash', agencyId: agencies[i].id })),
          ),
        );
        const a = Object.assign(new Assessment(), {
          ...markings,
          status: 'PUBLISHED' as const,
          distributionAll: false,
          distributionCodes: agencies.map((x) => x.code),
          tearlineSummary: markings.tearline ? 'sanitised' : null,
          tearlineClassification: markings.tearline,
          tearlineTlp: markings.tearline ? ('GREEN' as const) : null,
        });
        const [sql, params] = recipientsQuery(a);
        const got = (await m.query<{ code: string; fullReader: boolean; tearlineReader: boolean }[]>(sql, params)).map((r) => [r.code, r.fullReader, r.tearlineReader]);

        const principal = (u: User, agency: Agency): Principal => ({
          ...{ id: u.id, username: u.username, roles: u.roles, clearance: u.clearance, compartments: u.compartments },
          agencyId: agency.id,
          agencyCode: agency.code,
          inFusionCell: false,
          inOversightAgency: false,
        });
        const anyone = (agency: Agency, action: 'read' | 'readTearline') =>
          users.some((u) => u.agencyId === agency.id && u.active && factory.createFor(principal(u, agency)).can(action, asSubject('Assessment', a)));
        const expected = [...agencies].sort((x, y) => (x.code < y.code ? -1 : 1)).map((x) => [x.code, anyone(x, 'read'), anyone(x, 'readTearline')]);
        expect(got).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });
});
