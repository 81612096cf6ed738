import type { Classification } from './markings';
import type { Role } from './roles';

/** The authenticated caller, as loaded from the database on every request. */
export interface Principal {
  id: string;
  username: string;
  agencyId: string;
  agencyCode: string;
  /** True when the caller's agency is the fusion cell (kind FUSION_CELL). */
  inFusionCell: boolean;
  /** True when the caller's agency is an oversight body (kind OVERSIGHT): its auditors see every audit event. */
  inOversightAgency: boolean;
  roles: Role[];
  clearance: Classification;
  compartments: string[];
  /** The token is good only for changing the password (an ADMIN reset it: SPEC S1); the ability holds nothing else. */
  passwordChangeOnly?: boolean;
}
