import { isISO8601, ValidateBy, type ValidationOptions } from 'class-validator';

/** The ISO-8601 shapes the API takes: a calendar date, optionally a time (seconds and up to 9 decimals optional) and an offset. */
const ISO_DATE_TIME = /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d{1,9})?)?([Zz]|[+-]\d\d:?\d\d)?)?$/;
/** A time without a zone: taken as UTC (JavaScript would read it in the process's zone, PostgreSQL in the session's). */
const NO_ZONE = /T[^Zz+-]*$/;
/** The offset of a date-time, after its time (a date alone has none). */
const OFFSET = /T.*([+-])(\d\d):?(\d\d)$/;
/** Real UTC offsets lie within ±14:00 (PostgreSQL refuses beyond ±15:59, so this keeps a wrong one a 400). */
const MAX_OFFSET_MINUTES = 14 * 60;
const EARLIEST = Date.parse('0100-01-01T00:00:00Z'); // class-validator's calendar check misreads years below 100
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * A strict ISO-8601 date-time as the API takes it (a real calendar date and time, an offset within
 * ±14:00, a time without one taken as UTC, between the years 100 and 9999 once in UTC), or null. Pass
 * the Date on, not the string: it means the same in JavaScript and PostgreSQL whatever their zones.
 */
export function parseIsoDateTime(value: unknown): Date | null {
  if (typeof value !== 'string' || !ISO_DATE_TIME.test(value) || !isISO8601(value, { strict: true, strictSeparator: true })) return null;
  const offset = OFFSET.exec(value);
  if (offset && Number(offset[2]) * 60 + Number(offset[3]) > MAX_OFFSET_MINUTES) return null;
  const at = new Date(NO_ZONE.test(value) ? `${value}Z` : value);
  const t = at.getTime();
  return Number.isNaN(t) || t < EARLIEST || t > LATEST ? null : at;
}

/** A string field that must be a date-time {@link parseIsoDateTime} takes; the message names the field. */
export function IsIsoDateTime(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIsoDateTime',
      validator: {
        validate: (value: unknown) => parseIsoDateTime(value) !== null,
        defaultMessage: (args) => `${args?.property ?? 'value'} must be an ISO-8601 date-time (YYYY-MM-DD[THH:MM[:SS[.fffffffff]]][Z or an offset within ±14:00], years 100–9999)`,
      },
    },
    options,
  );
}
