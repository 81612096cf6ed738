import { isIPv4, isIPv6 } from 'node:net';

export const ENTITY_TYPES = [
  'PERSON',
  'ORGANISATION',
  'PHONE',
  'EMAIL',
  'VEHICLE',
  'IP',
  'DOMAIN',
  'LOCATION',
  'DOCUMENT',
  'FINANCIAL_ACCOUNT',
] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

const foldText = (v: string): string => v.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
const alnumUpper = (v: string): string => v.normalize('NFKC').toUpperCase().replace(/[^A-Z0-9]/g, '');

function canonicalIp(v: string): string | null {
  const s = v.trim();
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) {
    const parts = s.split('.').map(Number);
    if (parts.some((p) => p > 255)) return null;
    const ip = parts.join('.');
    return isIPv4(ip) ? ip : null;
  }
  // A zone id (`fe80::1%eth0`) names the sending host's interface, not the address: it is dropped.
  const bare = s.replace(/^\[|\]$/g, '').replace(/%[^%]+$/, '');
  if (!isIPv6(bare)) return null;
  // The WHATWG URL parser serialises IPv6 in the RFC 5952 canonical (compressed, lower-case) form.
  try {
    return new URL(`http://[${bare}]/`).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return null; // an address isIPv6 takes and the URL parser does not: refused, never a 500
  }
}

/**
 * Normalises an entity value so the same thing written differently correlates:
 * phone → digits with a leading `+` kept; email, domain → lower case; vehicle, document and financial
 * account → upper-case alphanumerics; person, organisation, location → case-folded, single-spaced;
 * IP → canonical form. Returns null when nothing meaningful is left, or when the normalised form is
 * longer than {@link MAX_NORMALIZED_BYTES} (NFKC can expand a character up to 18 times): the caller
 * answers 400.
 */
export function normaliseEntity(type: EntityType, value: string): string | null {
  let out: string | null;
  switch (type) {
    case 'PHONE': {
      const trimmed = value.trim();
      const digits = trimmed.replace(/\D/g, '');
      out = digits ? (trimmed.startsWith('+') ? `+${digits}` : digits) : null;
      break;
    }
    case 'EMAIL':
      out = value.normalize('NFKC').trim().toLowerCase();
      out = /^[^\s@]+@[^\s@]+$/.test(out) ? out : null;
      break;
    case 'DOMAIN':
      out = value.normalize('NFKC').trim().toLowerCase().replace(/\.$/, '');
      out = /^[^\s/@]+$/.test(out) ? out : null;
      break;
    case 'VEHICLE':
    case 'DOCUMENT':
    case 'FINANCIAL_ACCOUNT':
      out = alnumUpper(value);
      break;
    case 'IP':
      out = canonicalIp(value);
      break;
    case 'PERSON':
    case 'ORGANISATION':
    case 'LOCATION':
      out = foldText(value);
      break;
  }
  return out && Buffer.byteLength(out) <= MAX_NORMALIZED_BYTES ? out : null;
}

/** Longest normalised entity value, in UTF-8 bytes: inside what a btree index row may hold (2,704 bytes), above any 500-character value that NFKC does not expand (1,500 bytes at most). */
export const MAX_NORMALIZED_BYTES = 2000;
