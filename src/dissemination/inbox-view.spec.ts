import { principal } from '../../test/support/principal';
import { AbilityFactory } from '../access/ability.factory';
import type { Principal } from '../access/principal';
import { inboxView } from './dissemination.service';
import type { InboxItem } from './inbox-item.entity';

const item = (over: Partial<InboxItem> = {}): InboxItem => ({
  id: 'd1',
  agencyId: 'a1',
  kind: 'ASSESSMENT',
  assessmentId: 'x1',
  variant: 'FULL',
  content: { assessmentId: 'x1', body: 'FULL TEXT', classification: 'SECRET', compartments: ['HUMINT'], tearline: { summary: 'sanitised', classification: 'RESTRICTED', tlp: 'GREEN' } },
  deliveredAt: new Date('2026-11-28T10:00:00Z'),
  acknowledgedAt: null,
  acknowledgedBy: null,
  ...over,
});
const reader = (over: Partial<Principal>): Principal => principal({ agencyId: 'a1', agencyCode: 'A', ...over });

/** The view as the API gives it: the reader's own ability, no superseded assessment visible. */
const viewAs = (item: InboxItem, reader: Principal) => inboxView(item, reader, new Set(), new AbilityFactory().createFor(reader));

describe('inboxView: each reader sees at most what their own clearance allows', () => {
  it('gives a cleared officer the full content', () => {
    expect(viewAs(item(), reader({}))).toMatchObject({ variant: 'FULL', content: { body: 'FULL TEXT' } });
  });

  it('gives a reader cleared below the assessment its tearline, or nothing', () => {
    expect(viewAs(item(), reader({ compartments: [] }))).toMatchObject({ variant: 'TEARLINE', content: { tearline: { summary: 'sanitised' } } });
    expect(viewAs(item(), reader({ clearance: 'UNCLASSIFIED', compartments: [] }))).toMatchObject({ variant: 'WITHHELD', content: null });
  });

  it('never shows assessment content to AUDITOR or ADMIN, whatever their clearance; threat-level notices stay visible', () => {
    for (const role of ['AUDITOR', 'ADMIN'] as const) {
      const view = viewAs(item(), reader({ roles: [role], clearance: 'TOP_SECRET' }));
      expect(view).toMatchObject({ variant: 'WITHHELD', content: null });
      expect(JSON.stringify(view)).not.toContain('FULL TEXT');
      expect(JSON.stringify(view)).not.toContain('sanitised');
    }
    const notice = item({ kind: 'THREAT_LEVEL', assessmentId: null, content: { level: 'SEVERE', since: '2026-11-28T10:00:00.000Z' } });
    expect(viewAs(notice, reader({ roles: ['AUDITOR'] }))).toMatchObject({ kind: 'THREAT_LEVEL', content: { level: 'SEVERE' } });
  });
});
