export const ROLES = ['OFFICER', 'ANALYST', 'SUPERVISOR', 'AUDITOR', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

/** Roles that may see intelligence content. AUDITOR and ADMIN never do (separation of duties). */
export const CONTENT_ROLES: readonly Role[] = ['OFFICER', 'ANALYST', 'SUPERVISOR'];
/** Roles that only make sense for members of the fusion cell. */
export const CELL_ROLES: readonly Role[] = ['ANALYST', 'SUPERVISOR'];
/** Roles that must not be combined with a content role. */
export const OVERSIGHT_ROLES: readonly Role[] = ['AUDITOR', 'ADMIN'];
