import { underMarked } from './derivative-marking';

const report = (id: string, classification: any, compartments: string[], tlp: any) => ({ id, classification, compartments, tlp });

describe('derivative marking', () => {
  const cited = [
    report('r1', 'CONFIDENTIAL', [], 'GREEN'),
    report('r2', 'SECRET', ['HUMINT'], 'AMBER'),
    report('r3', 'RESTRICTED', ['FININT'], 'AMBER+STRICT'),
  ];

  it('accepts a marking at least as high as every cited report', () => {
    expect(underMarked({ classification: 'SECRET', compartments: ['HUMINT', 'FININT'], tlp: 'AMBER+STRICT' }, cited)).toEqual([]);
    expect(underMarked({ classification: 'TOP_SECRET', compartments: ['HUMINT', 'FININT', 'SIGINT'], tlp: 'RED' }, cited)).toEqual([]);
  });

  it('names each report whose classification, compartments or TLP is not covered', () => {
    expect(underMarked({ classification: 'CONFIDENTIAL', compartments: ['HUMINT', 'FININT'], tlp: 'RED' }, cited)).toEqual(['r2']);
    expect(underMarked({ classification: 'SECRET', compartments: ['HUMINT'], tlp: 'RED' }, cited)).toEqual(['r3']);
    expect(underMarked({ classification: 'SECRET', compartments: ['HUMINT', 'FININT'], tlp: 'AMBER' }, cited)).toEqual(['r3']);
    expect(underMarked({ classification: 'UNCLASSIFIED', compartments: [], tlp: 'CLEAR' }, cited)).toEqual(['r1', 'r2', 'r3']);
  });
});
