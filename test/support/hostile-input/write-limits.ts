import { randomUUID } from 'node:crypto';
import { json } from './payloads';
import { type Case, type Obj, SHAPE_WORLD, type World } from './types';

// The valid assessment body and the limits the write-endpoint table shares between rows (POST and PATCH
// of assessments) or keeps long (the webhook's SSRF list).

export const longString = (n: number) => 'x'.repeat(n);

/**
 * A valid assessment. REGIONAL and distributed to our own agency only: the threat-level recommendation
 * counts NATIONAL assessments, and fusion.e2e-spec (run in parallel on the same database) steers it.
 */
export function assessmentBody(w: World): Obj {
  return {
    title: 'Hostile-input test assessment',
    keyJudgements: ['Precursor purchases are linked'],
    body: 'Police reporting indicates coordinated purchases.',
    likelihood: 'LIKELY',
    recommendedLevel: 'MODERATE',
    scope: 'REGIONAL',
    region: 'HOSTILE-INPUT',
    sectors: ['TRANSPORT'],
    reportIds: [w.reportId],
    classification: 'SECRET',
    compartments: [],
    tlp: 'AMBER',
    validUntil: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    distribution: { agencyCodes: [w.agencyCode] },
    tearline: { summary: 'Report suspicious purchases of precursors.', classification: 'RESTRICTED', tlp: 'GREEN' },
  };
}

export const ASSESSMENT_FIELDS = Object.keys(assessmentBody(SHAPE_WORLD));

export const ASSESSMENT_EXTRAS: Case[] = [
  { name: 'title of 201 characters', send: (b) => json({ ...b, title: longString(201) }), status: 400, field: 'title' },
  { name: 'body of 50,001 characters', send: (b) => json({ ...b, body: longString(50_001) }), status: 400, field: 'body' },
  { name: '21 key judgements', send: (b) => json({ ...b, keyJudgements: Array.from({ length: 21 }, (_, i) => `J${i}`) }), status: 400, field: 'keyJudgements' },
  { name: 'a key judgement of 2,001 characters', send: (b) => json({ ...b, keyJudgements: [longString(2001)] }), status: 400, field: 'keyJudgements' },
  { name: 'an empty key judgement', send: (b) => json({ ...b, keyJudgements: [''] }), status: 400, field: 'keyJudgements' },
  { name: 'unknown likelihood', send: (b) => json({ ...b, likelihood: 'MAYBE' }), status: 400, field: 'likelihood' },
  { name: 'unknown recommendedLevel', send: (b) => json({ ...b, recommendedLevel: 'APOCALYPTIC' }), status: 400, field: 'recommendedLevel' },
  { name: 'unknown scope', send: (b) => json({ ...b, scope: 'GALACTIC' }), status: 400, field: 'scope' },
  { name: 'REGIONAL without a region', send: (b) => json({ ...b, region: undefined }), status: 400, field: 'region' },
  { name: 'region of 101 characters', send: (b) => json({ ...b, region: longString(101) }), status: 400, field: 'region' },
  { name: 'reportIds holding a non-UUID', send: (b) => json({ ...b, reportIds: ["1' OR '1'='1"] }), status: 400, field: 'reportIds' },
  { name: '201 reportIds', send: (b) => json({ ...b, reportIds: Array.from({ length: 201 }, () => randomUUID()) }), status: 400, field: 'reportIds' },
  { name: 'duplicate reportIds', send: (b) => json({ ...b, reportIds: [b!.reportIds, b!.reportIds].flat() }), status: 400, field: 'reportIds' },
  { name: 'validUntil not a date', send: (b) => json({ ...b, validUntil: 'next week' }), status: 400, field: 'validUntil' },
  { name: 'validUntil 30 February', send: (b) => json({ ...b, validUntil: '2027-02-30T00:00:00Z' }), status: 400, field: 'validUntil' },
  { name: 'validUntil a week date', send: (b) => json({ ...b, validUntil: '2027-W05-1' }), status: 400, field: 'validUntil' },
  { name: 'distribution {}', send: (b) => json({ ...b, distribution: {} }), status: 400, field: 'distribution' },
  { name: 'distribution {all: false}', send: (b) => json({ ...b, distribution: { all: false } }), status: 400, field: 'distribution.all' },
  { name: 'distribution {all: "true"}', send: (b) => json({ ...b, distribution: { all: 'true' } }), status: 400, field: 'distribution.all' },
  { name: 'distribution to an unknown agency', send: (b) => json({ ...b, distribution: { agencyCodes: ['NO-SUCH-AGENCY'] } }), status: 400, field: 'distribution.agencyCodes' },
  { name: 'distribution with both agencyCodes and all', send: (b) => json({ ...b, distribution: { ...(b!.distribution as Obj), all: true } }), status: 400, field: 'distribution.all' },
  { name: 'distribution to no agency', send: (b) => json({ ...b, distribution: { agencyCodes: [] } }), status: 400, field: 'distribution.agencyCodes' },
  { name: 'supersedes not a UUID', send: (b) => json({ ...b, supersedes: 'not-a-uuid' }), status: 400, field: 'supersedes' },
  { name: 'tearline summary of 5,001 characters', send: (b) => json({ ...b, tearline: { ...(b!.tearline as Obj), summary: longString(5001) } }), status: 400, field: 'tearline.summary' },
  { name: 'tearline with an unknown classification', send: (b) => json({ ...b, tearline: { ...(b!.tearline as Obj), classification: 'COSMIC' } }), status: 400, field: 'tearline.classification' },
];

/** PUT /api/v1/agencies/:id/webhook: URLs a webhook may not have (SSRF, other schemes) and bad secrets. */
const WEBHOOK_URL_CASES: [string, string][] = [
  ['an ftp URL', 'ftp://hooks.example.org/x'],
  ['a file URL', 'file:///etc/passwd'],
  ['a javascript URL', 'javascript:alert(1)'],
  ['a data URL', 'data:text/plain,hello'],
  ['a relative URL', '/hooks/x'],
  ['a bare host name', 'hooks.example.org'],
  ['localhost with a trailing dot', 'http://localhost./x'],
  ['a .internal name with a trailing dot', 'https://hooks.corp.internal./x'],
  ['an empty URL', ''],
  ['a URL of 2,049 characters', `https://hooks.example.org/${'x'.repeat(2049 - 'https://hooks.example.org/'.length)}`],
  ['a URL with credentials', 'https://user:secret@hooks.example.org/x'],
  ['loopback 127.0.0.1', 'http://127.0.0.1:8080/x'],
  ['loopback 127.0.0.1 written as a decimal number', 'http://2130706433/x'],
  ['loopback 127.0.0.1 written in hex', 'http://0x7f.0x0.0x0.0x1/x'],
  ['loopback ::1', 'http://[::1]/x'],
  ['IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]/x'],
  ['0.0.0.0', 'http://0.0.0.0/x'],
  ['private 10.0.0.1', 'https://10.0.0.1/x'],
  ['private 192.168.1.1', 'https://192.168.1.1/x'],
  ['private 172.16.0.1', 'https://172.16.0.1/x'],
  ['link-local cloud metadata 169.254.169.254', 'http://169.254.169.254/latest/meta-data/'],
  ['IPv6 link-local fe80::1', 'http://[fe80::1]/x'],
  ['IPv6 unique-local fd00::1', 'http://[fd00::1]/x'],
  ['localhost', 'http://localhost:3000/x'],
  ['a *.localhost name', 'http://api.localhost/x'],
  ['a *.internal name', 'http://metadata.google.internal/x'],
  ['a URL with a line break (header injection)', 'https://hooks.example.org/x\r\nX-Injected: 1'],
  ['a URL with a tab inside the host', 'https://hooks.exa\tmple.org/x'],
];

const secretOf = (bytes: number) => `whsec_${Buffer.alloc(bytes, 7).toString('base64')}`;

export const WEBHOOK_EXTRAS: Case[] = [
  ...WEBHOOK_URL_CASES.map(([what, url]): Case => ({ name: `url: ${what}`, send: (b) => json({ ...b, url }), status: 400, field: 'url' })),
  { name: 'secret: a number', send: (b) => json({ ...b, secret: 12345 }), status: 400, field: 'secret' },
  { name: 'secret: an object', send: (b) => json({ ...b, secret: { value: secretOf(32) } }), status: 400, field: 'secret' },
  // Optional, but null is not "generate one for me" by the SPEC either: any 4xx naming it.
  { name: 'secret: null', send: (b) => json({ ...b, secret: null }), field: 'secret' },
  { name: 'secret: empty', send: (b) => json({ ...b, secret: '' }), status: 400, field: 'secret' },
  { name: 'secret: without the whsec_ prefix', send: (b) => json({ ...b, secret: Buffer.alloc(32, 7).toString('base64') }), status: 400, field: 'secret' },
  { name: 'secret: whsec_ and 23 bytes', send: (b) => json({ ...b, secret: secretOf(23) }), status: 400, field: 'secret' },
  { name: 'secret: whsec_ and 65 bytes', send: (b) => json({ ...b, secret: secretOf(65) }), status: 400, field: 'secret' },
  { name: 'secret: whsec_ and not base64', send: (b) => json({ ...b, secret: `whsec_${'!'.repeat(40)}` }), status: 400, field: 'secret' },
  { name: 'secret: of 201 characters', send: (b) => json({ ...b, secret: `whsec_${'A'.repeat(195)}` }), status: 400, field: 'secret' },
  { name: 'secret: with a NUL byte', send: (b) => json({ ...b, secret: `${secretOf(32)}\u0000` }), status: 400, field: 'secret' },
  { name: 'an agency id that does not exist', send: (b) => ({ ...json(b), id: randomUUID() }), status: 404 },
];
