import type { Classification } from '../../access/markings';
import type { Role } from '../../access/roles';
import type { AgencyKind } from '../../agencies/agency.entity';
import type { EntityType } from '../../reports/normalise';
import type { ReportCategory } from '../../reports/report.entity';

/** Demo agencies: one of every kind, with accreditations that make the variants differ. */
export const DEMO_AGENCIES: { code: string; name: string; kind: AgencyKind; accreditation: Classification }[] = [
  { code: 'FUSION', name: 'National Fusion Cell', kind: 'FUSION_CELL', accreditation: 'TOP_SECRET' },
  { code: 'POLICE', name: 'Metropolitan Police Counter Terrorism Command', kind: 'POLICE', accreditation: 'SECRET' },
  { code: 'SECSERV', name: 'Security Service', kind: 'SECURITY_SERVICE', accreditation: 'TOP_SECRET' },
  { code: 'CUSTOMS', name: 'National Customs Service', kind: 'CUSTOMS', accreditation: 'SECRET' },
  { code: 'BORDER', name: 'Border Force', kind: 'BORDER', accreditation: 'CONFIDENTIAL' },
  { code: 'DEFENCE', name: 'Defence Intelligence', kind: 'MILITARY', accreditation: 'SECRET' },
  { code: 'HEALTH', name: 'Health Security Agency', kind: 'PUBLIC_HEALTH', accreditation: 'RESTRICTED' },
  { code: 'EMERGENCY', name: 'Civil Contingencies Secretariat', kind: 'EMERGENCY_MANAGEMENT', accreditation: 'RESTRICTED' },
  { code: 'PARTNER', name: 'Allied Partner Liaison', kind: 'FOREIGN_PARTNER', accreditation: 'CONFIDENTIAL' },
];

/** Demo users: every role, clearances and compartments that exercise the rules. */
export const DEMO_USERS: { username: string; agency: string; roles: Role[]; clearance: Classification; compartments: string[] }[] = [
  { username: 'demo.admin', agency: 'FUSION', roles: ['ADMIN'], clearance: 'UNCLASSIFIED', compartments: [] },
  // The second pair of eyes (SPEC S1): approves what another ADMIN asks for.
  { username: 'demo.checker', agency: 'FUSION', roles: ['ADMIN'], clearance: 'UNCLASSIFIED', compartments: [] },
  { username: 'auditor', agency: 'FUSION', roles: ['AUDITOR'], clearance: 'UNCLASSIFIED', compartments: [] },
  { username: 'analyst', agency: 'FUSION', roles: ['ANALYST'], clearance: 'TOP_SECRET', compartments: ['HUMINT', 'SIGINT', 'FININT'] },
  { username: 'analyst.junior', agency: 'FUSION', roles: ['ANALYST'], clearance: 'CONFIDENTIAL', compartments: [] },
  { username: 'supervisor', agency: 'FUSION', roles: ['SUPERVISOR'], clearance: 'TOP_SECRET', compartments: ['HUMINT', 'SIGINT', 'FININT'] },
  { username: 'police.officer', agency: 'POLICE', roles: ['OFFICER'], clearance: 'SECRET', compartments: ['HUMINT'] },
  { username: 'secserv.officer', agency: 'SECSERV', roles: ['OFFICER'], clearance: 'TOP_SECRET', compartments: ['HUMINT', 'SIGINT'] },
  { username: 'customs.officer', agency: 'CUSTOMS', roles: ['OFFICER'], clearance: 'SECRET', compartments: ['FININT'] },
  { username: 'border.officer', agency: 'BORDER', roles: ['OFFICER'], clearance: 'CONFIDENTIAL', compartments: [] },
  { username: 'defence.officer', agency: 'DEFENCE', roles: ['OFFICER'], clearance: 'SECRET', compartments: [] },
  { username: 'health.officer', agency: 'HEALTH', roles: ['OFFICER'], clearance: 'RESTRICTED', compartments: [] },
  { username: 'emergency.officer', agency: 'EMERGENCY', roles: ['OFFICER'], clearance: 'RESTRICTED', compartments: [] },
  { username: 'partner.officer', agency: 'PARTNER', roles: ['OFFICER'], clearance: 'CONFIDENTIAL', compartments: [] },
];

/** A small deterministic PRNG (mulberry32), so the demo data is the same on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Scenario {
  category: ReportCategory;
  titles: string[];
  narrative: string;
  pools: Partial<Record<EntityType, string[]>>;
}

/** Realistic fragments; shared entity pools make reports from different agencies correlate. */
export const SCENARIOS: Scenario[] = [
  {
    category: 'TERRORISM',
    titles: ['Bulk purchase of hydrogen peroxide', 'Hostile reconnaissance at a transport hub', 'Suspicious rental of a box van', 'Online purchase of timers and wiring'],
    narrative: 'Staff reported behaviour consistent with attack planning; the subject paid cash and avoided cameras.',
    pools: { PHONE: ['+44 7700 900123', '+44 7700 900456', '+44 7700 900789'], VEHICLE: ['AB12 CDE', 'KX19 LMN'], PERSON: ['Daniel Reyes', 'Omar Haddad'] },
  },
  {
    category: 'ORGANISED_CRIME',
    titles: ['Structured cash deposits across branches', 'Container with mis-declared cargo', 'Firearms offered on an encrypted channel', 'Cash courier stopped at the port'],
    narrative: 'Pattern matches a money-laundering network moving proceeds through front companies.',
    pools: { FINANCIAL_ACCOUNT: ['GB82 WEST 1234 5698 7654 32', 'GB33 BUKB 2020 1555 5555 55'], ORGANISATION: ['Harbourline Logistics Ltd', 'Northgate Trading'], PHONE: ['+44 7700 900456', '+44 7700 900321'] },
  },
  {
    category: 'CYBER',
    titles: ['Phishing campaign against a water utility', 'Credential stuffing from a hosting provider', 'Ransomware precursor activity', 'Command-and-control beacon detected'],
    narrative: 'Indicators observed in network telemetry; infrastructure overlaps with a known intrusion set.',
    pools: { IP: ['203.0.113.45', '198.51.100.23', '2001:db8::dead:beef'], DOMAIN: ['update-service.example', 'login-secure.example'], EMAIL: ['it-support@update-service.example'] },
  },
  {
    category: 'PUBLIC_HEALTH',
    titles: ['Cluster of respiratory illness in a care home', 'Unusual antiviral purchases at pharmacies', 'Hospital admissions above seasonal baseline', 'Contaminated batch reported by a wholesaler'],
    narrative: 'Surveillance signal above the expected baseline; local partners request coordination of the response.',
    pools: { LOCATION: ['Riverside Care Home', 'St Mary’s Hospital'], ORGANISATION: ['Westfield Pharma Wholesale'], PHONE: ['+44 20 7946 0958'] },
  },
  {
    category: 'BORDER_SECURITY',
    titles: ['Forged passport presented at the border', 'Small boat landing observed', 'Lorry with concealed compartment'],
    narrative: 'Document examination found alterations; travel pattern links to earlier encounters.',
    pools: { DOCUMENT: ['P1234567', 'X9876543'], VEHICLE: ['KX19 LMN', 'YR68 TUV'], PERSON: ['Omar Haddad', 'Lena Novak'] },
  },
];
