import { AdminChangesException } from './admin-changes/admin-changes.errors';
import { AgenciesException } from './agencies/agencies.errors';
import { AssessmentsException } from './assessments/assessments.errors';
import { AuthException } from './auth/auth.errors';
import { CommonException } from './common/common.errors';
import { DisseminationException } from './dissemination/dissemination.errors';
import { HealthException } from './health/health.errors';
import { ReportsException } from './reports/reports.errors';
import { ThreatLevelException } from './threat-level/threat-level.errors';
import { UsersException } from './users/users.errors';

/**
 * Every error code the API answers with, by capability, with its HTTP status: the enum of
 * `ErrorBodyDto.code` in the OpenAPI document and the table in docs/api.md are made from it.
 * A new capability's `*.errors.ts` is added here.
 */
export const ERROR_CODES_BY_CAPABILITY: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  common: CommonException.statuses,
  auth: AuthException.statuses,
  users: UsersException.statuses,
  agencies: AgenciesException.statuses,
  'admin-changes': AdminChangesException.statuses,
  reports: ReportsException.statuses,
  assessments: AssessmentsException.statuses,
  dissemination: DisseminationException.statuses,
  'threat-level': ThreatLevelException.statuses,
  health: HealthException.statuses,
};

/** Every code, once, in the order above. */
export const ERROR_CODES: readonly string[] = Object.values(ERROR_CODES_BY_CAPABILITY).flatMap((statuses) => Object.keys(statuses));

/** docs/api.md's table of codes (a test keeps the document equal to it). */
export function errorCodeTable(): string {
  const rows = Object.entries(ERROR_CODES_BY_CAPABILITY).flatMap(([capability, statuses]) =>
    Object.entries(statuses).map(([code, status]) => `| ${capability} | ${status} | \`${code}\` |`),
  );
  return ['| capability | status | code |', '| --- | --- | --- |', ...rows].join('\n');
}
