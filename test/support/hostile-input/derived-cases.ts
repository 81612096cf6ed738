import { randomUUID } from 'node:crypto';
import { DELETE, MiB, deepArray, deepObject, dotted, fieldOf, formEncoded, json, nodes, withAt, withKey, withRaw, wrongTypes } from './payloads';
import { type Case, type Endpoint, type Obj, type Path, type Send, SHAPE_WORLD } from './types';

// Cases derived from an endpoint's valid body, one field at a time, and those every write endpoint gets.

export function fieldCases(ep: Endpoint): Case[] {
  if (!ep.body) return [];
  const template = ep.body(SHAPE_WORLD);
  const optional = new Set(ep.optional ?? []);
  const isOptional = (p: Path) => optional.has(dotted(p));
  const cases: Case[] = [];
  for (const { path, value } of nodes(template)) {
    const name = dotted(path);
    const field = fieldOf(path);
    for (const [what, bad] of wrongTypes(value)) {
      cases.push({ name: `${name}: ${what} instead of ${Array.isArray(value) ? 'an array' : typeof value}`, send: (b) => json(withAt(b!, path, bad)), status: 400, field });
    }
    cases.push(
      isOptional(path)
        ? { name: `${name}: null (optional field)`, send: (b) => json(withAt(b!, path, null)), absentOk: path, field }
        : { name: `${name}: null`, send: (b) => json(withAt(b!, path, null)), status: 400, field },
    );
    if (typeof value === 'string') {
      cases.push({
        name: `${name}: NUL byte inside the string`,
        send: (b) => json(withAt(b!, path, `${value.slice(0, 1)}\u0000${value.slice(1)}`)),
        status: 400,
        field,
      });
      cases.push({
        name: `${name}: unpaired UTF-16 surrogate inside the string`,
        send: (b) => json(withAt(b!, path, `${value.slice(0, 1)}\ud800${value.slice(1)}`)),
        status: 400,
        field,
      });
    }
    if (!isOptional(path) && typeof path[path.length - 1] === 'string') {
      cases.push({ name: `${name}: missing`, send: (b) => json(withAt(b!, path, DELETE)), status: 400, field: ep.missingNames?.[name] ?? dotted(path) });
    }
  }
  // Per object (the root and every nested object): unknown fields, NUL in a key, prototype pollution.
  const objects: Path[] = [[], ...nodes(template).filter((n) => n.value !== null && typeof n.value === 'object' && !Array.isArray(n.value)).map((n) => n.path)];
  for (const at of objects) {
    const where = at.length ? `inside ${dotted(at)}` : 'at top level';
    const prefix = at.length ? `${dotted(at)}.` : '';
    cases.push(
      { name: `unknown field ${where}`, send: (b) => json(withKey(b!, at, 'hostileExtra', 1)), status: 400, field: `${prefix}hostileExtra` },
      { name: `NUL byte in a key ${where}`, send: (b) => json(withKey(b!, at, 'ev\u0000il', 'x')), status: 400, field: `${prefix}ev\u0000il` },
      { name: `__proto__ key ${where}`, send: (b) => json(withKey(b!, at, '__proto__', { polluted: 'yes', isAdmin: true })), status: 400 },
      {
        name: `constructor.prototype ${where}`,
        send: (b) => json(withKey(b!, at, 'constructor', { prototype: { polluted: 'yes', isAdmin: true } })),
        status: 400,
      },
      { name: `"constructor" as a plain unknown field ${where}`, send: (b) => json(withKey(b!, at, 'constructor', 'x')), status: 400, field: `${prefix}constructor` },
    );
  }
  cases.push({
    name: 'a field nested 10,000 levels deep',
    send: (b) => ({ payload: withRaw(b, Object.keys(template)[0], deepObject) }),
  });
  return cases;
}

/** Cases about the body as a whole: every write endpoint gets them, with or without a body of its own. */
export function bodyCases(): Case[] {
  return [
    { name: 'unknown field in an otherwise valid body', send: (b) => json({ ...(b ?? {}), hostileExtra: 'x' }), status: 400, field: 'hostileExtra' },
    { name: '"toString" as an unknown field', send: (b) => json({ ...(b ?? {}), toString: 'x' }), status: 400, field: 'toString' },
    { name: '"hasOwnProperty" as an unknown field', send: (b) => json({ ...(b ?? {}), hasOwnProperty: 'x' }), status: 400, field: 'hasOwnProperty' },
    { name: 'top-level array', send: (b) => json([b ?? {}]), status: 400, field: 'body' },
    { name: 'top-level string', send: () => json('a string'), status: 400, field: 'body' },
    { name: 'top-level number', send: () => json(42), status: 400, field: 'body' },
    { name: 'top-level null', send: () => ({ payload: 'null' }), status: 400, field: 'body' },
    { name: 'top-level boolean', send: () => ({ payload: 'true' }), status: 400, field: 'body' },
    { name: 'top-level __proto__', send: () => ({ payload: '{"__proto__":{"polluted":"yes","isAdmin":true}}' }), status: 400 },
    { name: 'top-level constructor.prototype', send: () => ({ payload: '{"constructor":{"prototype":{"polluted":"yes"}}}' }), status: 400 },
    { name: 'malformed JSON: truncated', send: (b) => ({ payload: JSON.stringify(b ?? { a: 1 }).slice(0, -3) }), status: 400 },
    { name: 'malformed JSON: single quotes', send: () => ({ payload: "{'a': 1}" }), status: 400 },
    { name: 'malformed JSON: trailing comma', send: () => ({ payload: '{"a": 1,}' }), status: 400 },
    { name: 'malformed JSON: bare NaN', send: (b) => ({ payload: withRaw(b, 'a', 'NaN') }), status: 400 },
    { name: 'empty body declared as JSON', send: () => ({ payload: '' }), status: 400 },
    { name: 'array nested 10,000 levels deep', send: () => ({ payload: deepArray }) },
    { name: 'object nested 10,000 levels deep', send: () => ({ payload: deepObject }) },
    {
      name: '1,000 unknown fields',
      send: (b) => json({ ...(b ?? {}), ...Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`junk${i}`, i])) }),
      status: 400,
      field: 'junk999',
    },
    { name: 'a 100,000-character key', send: (b) => json({ ...(b ?? {}), ['k'.repeat(100_000)]: 1 }), status: 400 },
    { name: 'body over 1 MiB (valid JSON)', send: (b) => json({ ...(b ?? {}), padding: 'x'.repeat(MiB + 1024) }), status: 413 },
    { name: 'body over 1 MiB (not JSON)', send: () => ({ payload: Buffer.alloc(MiB + 1024, 0x41) }), status: 413 },
    { name: 'content-type text/plain (JSON text)', send: (b) => ({ payload: JSON.stringify(b ?? { a: 1 }), headers: { 'content-type': 'text/plain' } }) },
    { name: 'content-type application/xml', send: () => ({ payload: '<a>1</a>', headers: { 'content-type': 'application/xml' } }) },
    {
      name: 'content-type application/x-www-form-urlencoded (the valid fields, form-encoded)',
      send: (b) => ({ payload: formEncoded(b), headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    },
    {
      name: 'content-type multipart/form-data',
      send: () => ({
        payload: '--B\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--B--\r\n',
        headers: { 'content-type': 'multipart/form-data; boundary=B' },
      }),
    },
  ];
}

/** Bad values for the route's :id (sent with the otherwise valid body). */
export function idCases(ep: Endpoint): Case[] {
  if (!ep.path.includes(':id')) return [];
  const withBody = (b: Obj | undefined, id: string): Send => ({ ...(b ? json(b) : {}), id });
  return [
    { name: ':id not a UUID', send: (b) => withBody(b, 'not-a-uuid'), status: 400, field: 'id' },
    { name: ':id with a NUL byte', send: (b) => withBody(b, '%00'), status: 400, field: 'id' },
    { name: ':id SQL injection', send: (b) => withBody(b, encodeURIComponent("1' OR '1'='1")), status: 400, field: 'id' },
    { name: ':id UUID with trailing junk', send: (b) => withBody(b, `${randomUUID()}x`), status: 400, field: 'id' },
    { name: ':id with broken percent-encoding', send: (b) => withBody(b, '%E0%A4%A'), status: 400 },
    { name: ':id of 1,000 characters', send: (b) => withBody(b, 'x'.repeat(1000)) },
  ];
}
