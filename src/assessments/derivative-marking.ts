import { dominates, isSubset, tlpRank, type Classification, type Tlp } from '../access/markings';

export interface Marking {
  classification: Classification;
  compartments: string[];
  tlp: Tlp;
}

/**
 * Derivative marking: an assessment must be marked at least as high as every report it cites —
 * classification at or above, compartments a superset, TLP at least as restrictive. Returns the ids
 * of the cited items the marking does not cover.
 */
export function underMarked<T extends Marking & { id: string }>(assessment: Marking, cited: T[]): string[] {
  return cited
    .filter(
      (r) =>
        !dominates(assessment.classification, r.classification) ||
        !isSubset(r.compartments, assessment.compartments) ||
        tlpRank(assessment.tlp) < tlpRank(r.tlp),
    )
    .map((r) => r.id);
}
