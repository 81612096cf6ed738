/* Markings: classification, TLP 2.0, compartments, grading, likelihood and threat levels (SPEC "Markings"). */

export const CLASSIFICATIONS = ['UNCLASSIFIED', 'RESTRICTED', 'CONFIDENTIAL', 'SECRET', 'TOP_SECRET'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

/** TLP 2.0, from least to most restrictive. */
export const TLPS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type Tlp = (typeof TLPS)[number];
/** TLP values that make a report community-wide (need-to-know rule 4). */
export const COMMUNITY_TLPS: readonly Tlp[] = ['CLEAR', 'GREEN'];

export const SOURCE_RELIABILITIES = ['A', 'B', 'C', 'D', 'E', 'F'] as const;
export type SourceReliability = (typeof SOURCE_RELIABILITIES)[number];

export const LIKELIHOODS = [
  'REMOTE_CHANCE',
  'HIGHLY_UNLIKELY',
  'UNLIKELY',
  'REALISTIC_POSSIBILITY',
  'LIKELY',
  'HIGHLY_LIKELY',
  'ALMOST_CERTAIN',
] as const;
export type Likelihood = (typeof LIKELIHOODS)[number];

export const THREAT_LEVELS = ['LOW', 'MODERATE', 'SUBSTANTIAL', 'SEVERE', 'CRITICAL'] as const;
export type ThreatLevel = (typeof THREAT_LEVELS)[number];

/** Compartment tokens: free upper-case words such as HUMINT or FININT. */
export const COMPARTMENT_PATTERN = /^[A-Z][A-Z0-9_]{0,31}$/;

export function classificationRank(c: Classification): number {
  return CLASSIFICATIONS.indexOf(c);
}

/** Every classification at or below `clearance`. */
export function classificationsUpTo(clearance: Classification): Classification[] {
  return CLASSIFICATIONS.slice(0, classificationRank(clearance) + 1);
}

export function dominates(held: Classification, required: Classification): boolean {
  return classificationRank(held) >= classificationRank(required);
}

export function tlpRank(t: Tlp): number {
  return TLPS.indexOf(t);
}

export function isSubset(items: readonly string[], of: readonly string[]): boolean {
  return items.every((i) => of.includes(i));
}
