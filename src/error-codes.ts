import { ADMIN_CHANGES_ERROR_STATUS } from './admin-changes/admin-changes.errors';
import { AGENCIES_ERROR_STATUS } from './agencies/agencies.errors';
import { ASSESSMENTS_ERROR_STATUS } from './assessments/assessments.errors';
import { AUTH_ERROR_STATUS } from './auth/auth.errors';
import { COMMON_ERROR_STATUS } from './common/common.errors';
import { DISSEMINATION_ERROR_STATUS } from './dissemination/dissemination.errors';
import { HEALTH_ERROR_STATUS } from './health/health.errors';
import { REPORTS_ERROR_STATUS } from './reports/reports.errors';
import { THREAT_LEVEL_ERROR_STATUS } from './threat-level/threat-level.errors';
import { USERS_ERROR_STATUS } from './users/users.errors';

/**
 * Every error code the API answers with, by capability, with its HTTP status: the enum of
 * `ErrorBodyDto.code` in the OpenAPI document and the table in docs/api.md are made from it.
 * A new capability's `*.errors.ts` is added here.
 */
export const ERROR_CODES_BY_CAPABILITY: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  common: COMMON_ERROR_STATUS,
  auth: AUTH_ERROR_STATUS,
  users: USERS_ERROR_STATUS,
  agencies: AGENCIES_ERROR_STATUS,
  'admin-changes': ADMIN_CHANGES_ERROR_STATUS,
  reports: REPORTS_ERROR_STATUS,
  assessments: ASSESSMENTS_ERROR_STATUS,
  dissemination: DISSEMINATION_ERROR_STATUS,
  'threat-level': THREAT_LEVEL_ERROR_STATUS,
  health: HEALTH_ERROR_STATUS,
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
