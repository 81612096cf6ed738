import { parseIsoDateTime } from './iso-date';

describe('parseIsoDateTime', () => {
  it.each([
    ['2026-11-20T14:00:00Z', '2026-11-20T14:00:00.000Z'],
    ['2026-11-20T14:00Z', '2026-11-20T14:00:00.000Z'],
    ['2026-11-20T14:00:00.123456+02:00', '2026-11-20T12:00:00.123Z'],
    ['2026-11-20T14:00:00-1400', '2026-11-21T04:00:00.000Z'],
    ['2026-11-20', '2026-11-20T00:00:00.000Z'],
    ['1900-02-28T23:59:59.999Z', '1900-02-28T23:59:59.999Z'],
    ['2026-11-20T14:00:00.1234567Z', '2026-11-20T14:00:00.123Z'], // .NET's round-trip format
    ['2026-11-20T14:00:00.123456789z', '2026-11-20T14:00:00.123Z'], // Java's Instant, lower-case z (RFC 3339)
    ['2026-11-20T14:00:00', '2026-11-20T14:00:00.000Z'], // no zone: UTC, whatever the process's zone
    ['2026-11-20T14:00', '2026-11-20T14:00:00.000Z'],
  ])('takes %s', (input, iso) => {
    expect(parseIsoDateTime(input)?.toISOString()).toBe(iso);
  });

  it.each([
    '2026-W01', // week date: ISO, but not a shape the API takes
    '2026-11-20T14:00:00,5Z', // comma decimals
    '2026-11-20T14:00:00+05', // hour-only offset
    '2026-11-20T14', // hour only
    '20261120T140000Z', // basic format
    '2026-01-01T00:00:00+23:59', // offset beyond ±14:00 (PostgreSQL refuses beyond ±15:59)
    '2026-01-01T00:00:00+14:01',
    '1000-01-01T00:00:00-23:59',
    '9999-12-31T23:59:59-01:00', // year 10000 in UTC
    '0000-12-31T23:00:00Z',
    '0099-12-31T23:00:00Z', // below year 100
    '2026-11-20T14:00:00.1234567890Z', // 10 decimals
    '2026-02-30T10:00:00Z', // not a calendar date
    '2026-11-20T25:00:00Z',
    '2026-11-20T14:00:00Z\n',
    '',
    20261120,
    null,
  ])('refuses %p', (input) => {
    expect(parseIsoDateTime(input)).toBeNull();
  });
});
