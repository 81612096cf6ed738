import { randomUUID } from 'node:crypto';
import type { Json, Obj, Path, Send } from './types';

// Payload helpers: bodies with one node changed, and the raw texts JSON.stringify cannot write.

export const MiB = 1024 * 1024;
const DEPTH = 10_000;
export const deepArray = '['.repeat(DEPTH) + ']'.repeat(DEPTH);
export const deepObject = '{"a":'.repeat(DEPTH) + '1' + '}'.repeat(DEPTH);

export const json = (v: unknown): Send => ({ payload: JSON.stringify(v) });
export const dotted = (p: Path): string => p.join('.');
/** The field a message should name: a replaced array element is named by its array. */
export const fieldOf = (p: Path): string => dotted(p).replace(/(\.\d+)+$/, '');

function clone<T>(v: T): T {
  return structuredClone(v);
}

export function getAt(v: unknown, p: Path): unknown {
  return p.reduce<unknown>((acc, k) => (acc !== null && typeof acc === 'object' ? (acc as Record<string, unknown>)[k] : undefined), v);
}

/** A copy of `body` with the node at `p` replaced (or deleted when `value` is DELETE). */
export const DELETE = Symbol('delete');
export function withAt(body: Obj, p: Path, value: Json | typeof DELETE): Obj {
  const out = clone(body);
  const parent = getAt(out, p.slice(0, -1)) as Record<string | number, Json>;
  const key = p[p.length - 1];
  if (value === DELETE) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else {
    parent[key] = value;
  }
  return out;
}

/** Adds an own property (also `__proto__`, which plain assignment would not create). */
export function withKey(body: Obj, p: Path, key: string, value: Json): Obj {
  const out = clone(body);
  const target = p.length ? (getAt(out, p) as Obj) : out;
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
  return out;
}

/** Every node below the root (containers and leaves); arrays contribute their first element. */
export function nodes(v: Json, path: Path = []): { path: Path; value: Json }[] {
  const here = path.length ? [{ path, value: v }] : [];
  if (Array.isArray(v)) return [...here, ...(v.length ? nodes(v[0], [...path, 0]) : [])];
  if (v !== null && typeof v === 'object') return [...here, ...Object.entries(v).flatMap(([k, x]) => nodes(x, [...path, k]))];
  return here;
}

/** Values of the wrong JSON type for a node: number for string, string for number, object for array… */
export function wrongTypes(v: Json): [string, Json][] {
  if (typeof v === 'string') return [['a number', 12345], ['an object', { value: v }]];
  if (typeof v === 'number')
    return [['a string', String(v)], ['the string "NaN"', 'NaN'], ['the string "Infinity"', 'Infinity'], ['a boolean', true]];
  if (typeof v === 'boolean') return [['a string', String(v)]];
  if (Array.isArray(v)) return [['an object', { 0: v[0] ?? 'X' }], ['a string', 'X']];
  if (v !== null && typeof v === 'object') return [['an array', [v]], ['a string', 'X']];
  return [];
}

export function formEncoded(body: Obj | undefined): string {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(body ?? { field: 'value' })) {
    for (const item of Array.isArray(v) ? v : [v]) {
      if (item === null || typeof item !== 'object') form.append(k, String(item));
    }
  }
  return form.toString();
}

/** The valid body with one field replaced by raw JSON text (for tokens JSON.stringify cannot write). */
export function withRaw(body: Obj | undefined, key: string, raw: string): string {
  const marker = `__RAW_${randomUUID()}__`;
  return JSON.stringify({ ...(body ?? {}), [key]: marker }).replace(`"${marker}"`, raw);
}
