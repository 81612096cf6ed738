import { isIPv4, isIPv6 } from 'node:net';
import { domainToUnicode } from 'node:url';
import { foldToLatin } from '../common/confusables';
import { asciiDigits, lowerIdentifier, visible } from '../common/identifier';

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

/** The outcome of normalising one entity value: the key it correlates by, or why it cannot have one. */
export type Normalised = { ok: true; value: string } | { ok: false; reason: string };

const IGNORABLE_BUT_ZWSP = /(?!\u200b)\p{Default_Ignorable_Code_Point}/gu;
/** What an identifier or a phone number may lose: spaces, punctuation, dashes (`-`, `‐`, `−`, `/`, `.`, `(`…). */
const SEPARATOR = /^[\p{White_Space}\p{P}\p{Dash}]$/u;
/** What an identifier keeps: letters (with their marks) and digits. */
const KEPT = /^[\p{L}\p{M}0-9]$/u;

const codePoint = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
const refused = (reason: string): Normalised => ({ ok: false, reason });

/** Plates, documents, accounts: upper case, look-alike letters as Latin, separators dropped, any other loss refused. */
function identifier(type: EntityType, value: string): Normalised {
  const up = (s: string) => foldToLatin(s, 'upper').toUpperCase();
  // Twice: a lower-case letter whose capital is the look-alike (Cyrillic `в` → `В` → `B`).
  const s = up(up(asciiDigits(visible(value))));
  let out = '';
  for (const ch of s) {
    if (KEPT.test(ch)) out += ch;
    else if (!SEPARATOR.test(ch)) return refused(`a ${type} has letters, digits and separators only (${codePoint(ch)} is none)`);
  }
  return out ? { ok: true, value: out } : refused(`a ${type} needs at least one letter or digit`);
}

/** Phone: ASCII digits, a leading `+` kept; separators dropped, any other character refused. */
function phone(value: string): Normalised {
  const s = asciiDigits(visible(value)).trim();
  const plus = s.startsWith('+');
  let digits = '';
  for (const ch of plus ? s.slice(1) : s) {
    if (ch >= '0' && ch <= '9') digits += ch;
    else if (!SEPARATOR.test(ch)) return refused(`a PHONE has digits, a leading + and separators only (${codePoint(ch)} is none)`);
  }
  return digits ? { ok: true, value: plus ? `+${digits}` : digits } : refused('a PHONE needs at least one digit');
}


/**
 * A domain's punycode labels (`xn--pypal-4ve`) in Unicode (`pаypal`, Cyrillic а), so that they fold like
 * the look-alike they encode; a label that is not valid punycode stays as it is.
 */
const punycodeDecoded = (domain: string): string =>
  domain
    .split('.')
    .map((label) => (/^xn--/i.test(label) ? domainToUnicode(label) || label : label))
    .join('.');

/**
 * Names (person, organisation, location): case-folded and single-spaced, in their own script (Иванов
 * stays Cyrillic). A zero-width space is a space (it marks a word boundary); other ignorables go.
 */
function name(type: EntityType, value: string): Normalised {
  const out = visible(value, IGNORABLE_BUT_ZWSP)
    .replace(/\u200b/g, ' ')
    // Full case folding as far as JavaScript has it: `ß` → `ss`, final `ς` → `σ`.
    .toUpperCase()
    .toLowerCase()
    .normalize('NFKC')
    .replace(/\s+/g, ' ')
    .trim();
  return out ? { ok: true, value: out } : refused(`a ${type} needs at least one visible character`);
}

/**
 * Normalises an entity value so the same thing written differently, or written to look the same,
 * correlates (SPEC S1 "Entity normalisation"). Every type starts with NFKC and drops default-ignorable
 * code points; phones, plates, documents, accounts, e-mail addresses, domains and IPs take any Unicode
 * decimal digit as its ASCII digit; plates, documents, accounts, e-mail addresses and domains take
 * look-alike letters of other scripts as Latin (UTS #39, {@link foldToLatin}).
 * phone → digits with a leading `+` kept; email, domain → lower case; vehicle, document and financial
 * account → upper-case letters and digits; person, organisation, location → case-folded,
 * single-spaced; IP → canonical form. A value that would lose more than its separators, or with
 * nothing meaningful left, or whose normalised form is longer than {@link MAX_NORMALIZED_BYTES} (NFKC
 * can expand a character up to 18 times) is refused with the reason: the caller answers 400.
 */
export function normaliseEntity(type: EntityType, value: string): Normalised {
  // Fail closed on what validation should have stopped (an array where an entity object belongs, say).
  if (typeof value !== 'string') return refused('the value must be a string');
  let res: Normalised;
  switch (type) {
    case 'PHONE':
      res = phone(value);
      break;
    case 'EMAIL': {
      const at = value.lastIndexOf('@');
      const out = lowerIdentifier(at < 0 ? value : value.slice(0, at + 1) + punycodeDecoded(value.slice(at + 1)));
      res = /^[^\s@]+@[^\s@]+$/.test(out) ? { ok: true, value: out } : refused('an EMAIL is one local part, @ and a domain');
      break;
    }
    case 'DOMAIN': {
      const out = lowerIdentifier(punycodeDecoded(value)).replace(/\.$/, '');
      res = /^[^\s/@]+$/.test(out) ? { ok: true, value: out } : refused('a DOMAIN has no spaces, / or @');
      break;
    }
    case 'VEHICLE':
    case 'DOCUMENT':
    case 'FINANCIAL_ACCOUNT':
      res = identifier(type, value);
      break;
    case 'IP': {
      const out = canonicalIp(asciiDigits(visible(value)));
      res = out ? { ok: true, value: out } : refused('not an IPv4 or IPv6 address');
      break;
    }
    case 'PERSON':
    case 'ORGANISATION':
    case 'LOCATION':
      res = name(type, value);
      break;
    default:
      return refused('not an entity type');
  }
  if (res.ok && Buffer.byteLength(res.value) > MAX_NORMALIZED_BYTES) return refused(`the normalised form is longer than ${MAX_NORMALIZED_BYTES} bytes`);
  return res;
}

/** Longest normalised entity value, in UTF-8 bytes: inside what a btree index row may hold (2,704 bytes), above any 500-character value that NFKC does not expand (1,500 bytes at most). */
export const MAX_NORMALIZED_BYTES = 2000;
