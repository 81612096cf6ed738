/**
 * A valid POST /api/v1/reports body, with overrides. Free of imports so the benchmarks can share it
 * without loading the application.
 */
export function reportBody(overrides: Record<string, unknown> = {}): Record<string, any> {
  return {
    title: 'Suspicious purchase of precursor chemicals',
    narrative: 'A buyer paid cash for large quantities of hydrogen peroxide at a garden centre.',
    category: 'TERRORISM',
    occurredAt: '2026-11-20T14:00:00Z',
    location: { placeName: 'Central Station', region: 'CAPITAL', lat: 51.5, lon: -0.12 },
    sourceReliability: 'B',
    informationCredibility: 2,
    classification: 'CONFIDENTIAL',
    compartments: [],
    tlp: 'AMBER',
    releasableTo: [],
    sourceDescription: 'Store manager, known to local police',
    suspicionBasis: 'Quantities far above any domestic use, paid in cash, gave a false name.',
    entities: [{ type: 'PHONE', value: '+44 7700 900123' }],
    ...overrides,
  };
}
