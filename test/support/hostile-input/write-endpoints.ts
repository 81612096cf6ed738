import { randomUUID } from 'node:crypto';
import { PASSWORD } from '../agencies-and-users';
import { reportBody } from '../report-body';
import { uniq } from '../test-app';
import { ADMIN_PASSWORD } from '../test-env';
import { json, withRaw } from './payloads';
import type { Case, Endpoint } from './types';
import { ASSESSMENT_EXTRAS, ASSESSMENT_FIELDS, WEBHOOK_EXTRAS, assessmentBody, longString } from './write-limits';

/** Every write endpoint, with a valid request and the limits of its own (`extra`); the generic cases are derived from `body`. */
export const ENDPOINTS: Endpoint[] = [
  {
    method: 'POST',
    path: '/api/v1/auth/login',
    as: 'anon',
    body: () => ({ username: 'admin', password: ADMIN_PASSWORD }),
    ok: 200,
    extra: [
      { name: 'username of 65 characters', send: (b) => json({ ...b, username: longString(65) }), status: 400, field: 'username' },
      { name: 'empty username', send: (b) => json({ ...b, username: '' }), status: 400, field: 'username' },
      { name: 'password of 257 characters', send: (b) => json({ ...b, password: longString(257) }), status: 400, field: 'password' },
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/agencies',
    as: 'admin',
    body: () => ({ code: uniq('HX'), name: 'Hostile Input Agency', kind: 'POLICE', accreditation: 'SECRET' }),
    ok: 201,
    extra: [
      { name: 'code with spaces', send: (b) => json({ ...b, code: 'NOT VALID' }), status: 400, field: 'code' },
      { name: 'code of 33 characters', send: (b) => json({ ...b, code: `A${'B'.repeat(32)}` }), status: 400, field: 'code' },
      { name: 'name of 201 characters', send: (b) => json({ ...b, name: longString(201) }), status: 400, field: 'name' },
      { name: 'empty name', send: (b) => json({ ...b, name: '' }), status: 400, field: 'name' },
      { name: 'unknown kind', send: (b) => json({ ...b, kind: 'ALIENS' }), status: 400, field: 'kind' },
      { name: 'unknown accreditation', send: (b) => json({ ...b, accreditation: 'COSMIC' }), status: 400, field: 'accreditation' },
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/users',
    as: 'admin',
    body: (w) => ({ username: `h${uniq().toLowerCase()}`, password: PASSWORD, agencyId: w.agencyId, roles: ['OFFICER'], clearance: 'SECRET', compartments: [] }),
    ok: 202, // a sensitive change, waiting for the fixtures' second ADMIN (SPEC S1 four eyes)
    extra: [
      { name: 'password of 11 characters', send: (b) => json({ ...b, password: longString(11) }), status: 400, field: 'password' },
      { name: 'password of 257 characters', send: (b) => json({ ...b, password: longString(257) }), status: 400, field: 'password' },
      { name: 'username of 65 characters', send: (b) => json({ ...b, username: longString(65) }), status: 400, field: 'username' },
      { name: 'username with a slash', send: (b) => json({ ...b, username: 'a/../admin' }), status: 400, field: 'username' },
      { name: 'agencyId not a UUID', send: (b) => json({ ...b, agencyId: 'not-a-uuid' }), status: 400, field: 'agencyId' },
      { name: 'no roles', send: (b) => json({ ...b, roles: [] }), status: 400, field: 'roles' },
      { name: 'unknown role', send: (b) => json({ ...b, roles: ['ROOT'] }), status: 400, field: 'roles' },
      { name: 'duplicate roles', send: (b) => json({ ...b, roles: ['OFFICER', 'OFFICER'] }), status: 400, field: 'roles' },
      { name: 'unknown clearance', send: (b) => json({ ...b, clearance: 'COSMIC' }), status: 400, field: 'clearance' },
      { name: 'lower-case compartment', send: (b) => json({ ...b, compartments: ['humint'] }), status: 400, field: 'compartments' },
      { name: '5,000 compartments', send: (b) => json({ ...b, compartments: Array.from({ length: 5000 }, (_, i) => `C${i}`) }), status: 400, field: 'compartments' },
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/reports',
    as: 'officer',
    body: (w) => reportBody({ releasableTo: [w.otherCode] }),
    optional: ['location', 'location.placeName', 'location.region', 'location.lat', 'location.lon', 'releasableTo', 'sourceDescription', 'entities'],
    ok: 201,
    extra: [
      { name: 'title of 201 characters', send: (b) => json({ ...b, title: longString(201) }), status: 400, field: 'title' },
      { name: 'empty title', send: (b) => json({ ...b, title: '' }), status: 400, field: 'title' },
      { name: 'narrative of 20,001 characters', send: (b) => json({ ...b, narrative: longString(20_001) }), status: 400, field: 'narrative' },
      {
        name: '5,000 entities',
        send: (b) => json({ ...b, entities: Array.from({ length: 5000 }, (_, i) => ({ type: 'PHONE', value: `+44 7700 9${String(i).padStart(5, '0')}` })) }),
        status: 400,
        field: 'entities',
      },
      { name: 'location.lat 91', send: (b) => json({ ...b, location: { lat: 91, lon: 0 } }), status: 400, field: 'location.lat' },
      { name: 'location.lat -90.0001', send: (b) => json({ ...b, location: { lat: -90.0001, lon: 0 } }), status: 400, field: 'location.lat' },
      { name: 'location.lon -181', send: (b) => json({ ...b, location: { lat: 0, lon: -181 } }), status: 400, field: 'location.lon' },
      { name: 'location.lon 180.5', send: (b) => json({ ...b, location: { lat: 0, lon: 180.5 } }), status: 400, field: 'location.lon' },
      { name: 'location.lat "NaN"', send: (b) => json({ ...b, location: { lat: 'NaN', lon: 0 } }), status: 400, field: 'location.lat' },
      { name: 'location.lon "-Infinity"', send: (b) => json({ ...b, location: { lat: 0, lon: '-Infinity' } }), status: 400, field: 'location.lon' },
      { name: 'location.lat "51.5" (numeric string)', send: (b) => json({ ...b, location: { lat: '51.5', lon: 0 } }), status: 400, field: 'location.lat' },
      {
        name: 'location.lat 1e999 (overflows to Infinity)',
        send: (b) => ({ payload: withRaw(b, 'location', '{"lat":1e999,"lon":0}') }),
        status: 400,
        field: 'location.lat',
      },
      { name: 'location.placeName of 201 characters', send: (b) => json({ ...b, location: { placeName: longString(201) } }), status: 400, field: 'location.placeName' },
      { name: 'occurredAt not a date', send: (b) => json({ ...b, occurredAt: 'not-a-date' }), status: 400, field: 'occurredAt' },
      { name: 'occurredAt month 13', send: (b) => json({ ...b, occurredAt: '2026-13-01T00:00:00Z' }), status: 400, field: 'occurredAt' },
      { name: 'occurredAt 30 February', send: (b) => json({ ...b, occurredAt: '2026-02-30T00:00:00Z' }), status: 400, field: 'occurredAt' },
      { name: 'occurredAt year 0000', send: (b) => json({ ...b, occurredAt: '0000-01-01T00:00:00Z' }), status: 400, field: 'occurredAt' },
      { name: 'occurredAt as epoch millis', send: (b) => json({ ...b, occurredAt: 1_790_000_000_000 }), status: 400, field: 'occurredAt' },
      // ISO-8601 shapes class-validator took and JavaScript cannot parse (each was a 500), and an offset PostgreSQL refuses.
      ...['2026-W05-1', '2026-123', '20261120T140000Z', '2026-11-20T14', '2026-11-20T1400Z', '2026-11-20T14:00:00,5Z', '2026-11-20T14:00:00+05', '2026-11-20T14:00:00+16:00'].map(
        (v): Case => ({ name: `occurredAt ${v}`, send: (b) => json({ ...b, occurredAt: v }), status: 400, field: 'occurredAt' }),
      ),
      { name: 'occurredAt year 10000 once in UTC', send: (b) => json({ ...b, occurredAt: '9999-12-31T23:59:59-01:00' }), status: 400, field: 'occurredAt' },
      {
        name: 'entity whose NFKC form outgrows the index (500 × U+FDFA)',
        send: (b) => json({ ...b, entities: [{ type: 'PERSON', value: '\ufdfa'.repeat(500) }] }),
        status: 400,
        field: 'entities.0.value',
      },
      { name: 'unknown category', send: (b) => json({ ...b, category: 'ALIENS' }), status: 400, field: 'category' },
      { name: 'informationCredibility 0', send: (b) => json({ ...b, informationCredibility: 0 }), status: 400, field: 'informationCredibility' },
      { name: 'informationCredibility 7', send: (b) => json({ ...b, informationCredibility: 7 }), status: 400, field: 'informationCredibility' },
      { name: 'informationCredibility 2.5', send: (b) => json({ ...b, informationCredibility: 2.5 }), status: 400, field: 'informationCredibility' },
      { name: 'informationCredibility 1e308', send: (b) => json({ ...b, informationCredibility: 1e308 }), status: 400, field: 'informationCredibility' },
      { name: 'sourceReliability "Z"', send: (b) => json({ ...b, sourceReliability: 'Z' }), status: 400, field: 'sourceReliability' },
      { name: 'unknown classification', send: (b) => json({ ...b, classification: 'COSMIC' }), status: 400, field: 'classification' },
      { name: 'unknown tlp', send: (b) => json({ ...b, tlp: 'PURPLE' }), status: 400, field: 'tlp' },
      { name: 'lower-case compartment', send: (b) => json({ ...b, compartments: ['humint'] }), status: 400, field: 'compartments' },
      { name: 'compartments holding a number', send: (b) => json({ ...b, compartments: [7] }), status: 400, field: 'compartments' },
      { name: 'releasableTo an unknown agency', send: (b) => json({ ...b, releasableTo: ['NO-SUCH-AGENCY'] }), status: 400, field: 'releasableTo' },
      { name: 'releasableTo holding null', send: (b) => json({ ...b, releasableTo: [null] }), status: 400, field: 'releasableTo' },
      { name: 'blank suspicionBasis', send: (b) => json({ ...b, suspicionBasis: '   \t\n ' }), status: 400, field: 'suspicionBasis' },
      { name: 'unknown entity type', send: (b) => json({ ...b, entities: [{ type: 'ALIEN', value: 'x' }] }), status: 400, field: 'entities.0.type' },
      { name: 'entity IP 999.1.1.1', send: (b) => json({ ...b, entities: [{ type: 'IP', value: '999.1.1.1' }] }), status: 400, field: 'entities.0.value' },
      { name: 'entity value of 501 characters', send: (b) => json({ ...b, entities: [{ type: 'PERSON', value: longString(501) }] }), status: 400, field: 'entities.0.value' },
      { name: 'entity that is a string', send: (b) => json({ ...b, entities: ['PHONE'] }), status: 400, field: 'entities' },
      { name: 'entity that is null', send: (b) => json({ ...b, entities: [null] }), status: 400, field: 'entities' },
      { name: 'Idempotency-Key of 256 characters', send: (b) => ({ ...json(b), headers: { 'idempotency-key': 'k'.repeat(256) } }), status: 400, field: 'Idempotency-Key' },
      { name: 'Idempotency-Key with \\u0001', send: (b) => ({ ...json(b), headers: { 'idempotency-key': 'key\u0001x' } }), status: 400, field: 'Idempotency-Key' },
      { name: 'Idempotency-Key with a tab', send: (b) => ({ ...json(b), headers: { 'idempotency-key': 'key\tx' } }), status: 400, field: 'Idempotency-Key' },
      { name: 'Idempotency-Key with DEL', send: (b) => ({ ...json(b), headers: { 'idempotency-key': 'key\u007fx' } }), status: 400, field: 'Idempotency-Key' },
      { name: 'Idempotency-Key with a space', send: (b) => ({ ...json(b), headers: { 'idempotency-key': 'key x' } }), status: 400, field: 'Idempotency-Key' },
      { name: 'Idempotency-Key with Latin-1', send: (b) => ({ ...json(b), headers: { 'idempotency-key': 'cl\u00e9' } }), status: 400, field: 'Idempotency-Key' },
      { name: 'empty Idempotency-Key', send: (b) => ({ ...json(b), headers: { 'idempotency-key': '' } }), status: 400, field: 'Idempotency-Key' },
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/reports/:id/validate',
    as: 'officer',
    id: (w) => w.reportId,
    ok: 200,
  },
  {
    method: 'POST',
    path: '/api/v1/assessments',
    as: 'analyst',
    body: assessmentBody,
    optional: ['tearline'],
    missingNames: { 'distribution.agencyCodes': 'distribution' },
    ok: 201,
    extra: ASSESSMENT_EXTRAS,
  },
  {
    method: 'PATCH',
    path: '/api/v1/assessments/:id',
    as: 'analyst',
    id: (w) => w.draftId,
    body: assessmentBody,
    // PATCH: every top-level field may be left out.
    optional: ASSESSMENT_FIELDS,
    missingNames: { 'distribution.agencyCodes': 'distribution' },
    ok: 200,
    // A PATCH merges with the stored draft, which has a region: leaving it out is not an error.
    extra: ASSESSMENT_EXTRAS.filter((c) => c.name !== 'REGIONAL without a region'),
  },
  { method: 'POST', path: '/api/v1/assessments/:id/submit', as: 'analyst', id: (w) => w.newDraft(), ok: 200 },
  { method: 'POST', path: '/api/v1/assessments/:id/publish', as: 'supervisor', id: (w) => w.newInReview(), ok: 200 },
  {
    method: 'POST',
    path: '/api/v1/threat-level',
    as: 'supervisor',
    // Cites a draft: the valid request passes validation and is refused by the rule (422), so this suite
    // never changes the national level (fusion.e2e-spec, in parallel on the same database, owns it).
    body: (w) => ({ level: 'MODERATE', justification: 'Hostile-input test', assessmentIds: [w.draftId] }),
    ok: 422,
    extra: [
      { name: 'unknown level', send: (b) => json({ ...b, level: 'APOCALYPTIC' }), status: 400, field: 'level' },
      { name: 'lower-case level', send: (b) => json({ ...b, level: 'low' }), status: 400, field: 'level' },
      { name: 'blank justification', send: (b) => json({ ...b, justification: ' \n\t ' }), status: 400, field: 'justification' },
      { name: 'justification of 5,001 characters', send: (b) => json({ ...b, justification: longString(5001) }), status: 400, field: 'justification' },
      { name: 'no assessmentIds', send: (b) => json({ ...b, assessmentIds: [] }), status: 400, field: 'assessmentIds' },
      { name: '51 assessmentIds', send: (b) => json({ ...b, assessmentIds: Array.from({ length: 51 }, () => randomUUID()) }), status: 400, field: 'assessmentIds' },
      { name: 'assessmentIds holding a non-UUID', send: (b) => json({ ...b, assessmentIds: ['not-a-uuid'] }), status: 400, field: 'assessmentIds' },
    ],
  },
  {
    method: 'PUT',
    path: '/api/v1/agencies/:id/webhook',
    as: 'admin',
    id: (w) => w.webhookAgencyId,
    // `secret` is optional (generated when omitted): its bad values are in WEBHOOK_EXTRAS.
    body: () => ({ url: 'https://hooks.example.org/x' }),
    ok: 202, // a sensitive change, waiting for the fixtures' second ADMIN (SPEC S1 four eyes)
    extra: WEBHOOK_EXTRAS,
  },
  {
    method: 'POST',
    path: '/api/v1/inbox/:id/acknowledge',
    as: 'officer',
    // No valid 'happy path' here: inbox items are written by the worker, which this suite does not run,
    // so the baseline is a well-formed id that is not in the officer's inbox (404). The cases below are
    // the bad-id, bad-body and no-body ones; any of them answered 404 would mean the input went unchecked.
    id: () => randomUUID(),
    ok: 404,
    extra: [{ name: 'an empty JSON object as the body (allowed: it is no body)', send: () => json({}), status: 404 }],
  },
  {
    method: 'POST',
    path: '/api/v1/disseminations/:id/redrive',
    as: 'supervisor',
    // No valid 'happy path' here: only a FAILED dissemination can be redriven, and failing one needs a
    // worker exhausting its retries. The baseline is a real dissemination that is not FAILED (409): the
    // request passed validation and reached the state check.
    id: (w) => w.disseminationId,
    ok: 409,
    extra: [{ name: 'a dissemination id that does not exist', send: () => ({ id: randomUUID() }), status: 404 }],
  },
];
