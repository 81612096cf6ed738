import { randomBytes } from 'node:crypto';
import { BlockList, isIP } from 'node:net';

/** Addresses a webhook may not reach unless WEBHOOK_ALLOWED_HOSTS says so (SSRF). */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  // Not ::ffff:0:0/96 (IPv4-mapped): BlockList matches every IPv4 address against it, which would refuse
  // all of IPv4. A mapped address is judged by its IPv4 part, which the IPv4 ranges above cover.
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48], // local-use NAT64 (RFC 8215)
  ['100::', 64], // discard-only
  ['2001::', 32], // Teredo: the IPv4 client inside is obfuscated; no webhook needs a Teredo address
  ['2001:db8::', 32], // documentation
  ['3fff::', 20], // documentation (RFC 9637)
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

/** The eight 16-bit groups of an IPv6 address (`isIP` already said it is one). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((g) => parseInt(g, 16));
}

/**
 * The IPv4 address an IPv6 one carries, where routing may deliver to it: IPv4-mapped (::ffff:0:0/96),
 * IPv4-translated (::ffff:0:0:0/96), IPv4-compatible (::/96, deprecated but still parsed) and 6to4
 * (2002::/16). Null for any other.
 */
export function embeddedIpv4(address: string): string | null {
  const g = ipv6Groups(address);
  const quad = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  if (g[0] === 0x2002) return quad(g[1], g[2]);
  if (g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || g[5] === 0)) return quad(g[6], g[7]);
  if (g.slice(0, 4).every((x) => x === 0) && g[4] === 0xffff && g[5] === 0) return quad(g[6], g[7]); // IPv4-translated (SIIT)
  return null;
}

/** The operator's exceptions: host names, addresses and CIDR ranges (WEBHOOK_ALLOWED_HOSTS). */
export class WebhookPolicy {
  private readonly names = new Set<string>();
  private readonly allowed = new BlockList();

  constructor(entries: string[]) {
    for (const raw of entries) {
      const entry = raw.trim().toLowerCase();
      const [addr, bits] = entry.split('/');
      const family = isIP(addr);
      if (family && bits !== undefined) this.allowed.addSubnet(addr, Number(bits), family === 6 ? 'ipv6' : 'ipv4');
      else if (family) this.allowed.addAddress(addr, family === 6 ? 'ipv6' : 'ipv4');
      else this.names.add(entry.replace(/\.$/, ''));
    }
  }

  hostAllowed(host: string): boolean {
    return this.names.has(host.toLowerCase().replace(/\.$/, ''));
  }

  /** Whether a resolved address may be reached: public, or listed by the operator. */
  addressAllowed(address: string): boolean {
    const family = isIP(address);
    if (!family) return false;
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (this.allowed.check(address, type)) return true;
    // An IPv6 address that carries an IPv4 one (mapped, compatible, 6to4) is judged by its IPv4 part too.
    const inner = family === 6 ? embeddedIpv4(address) : null;
    if (inner && !this.addressAllowed(inner)) return false;
    if (inner && this.allowed.check(inner, 'ipv4')) return true;
    return !PRIVATE.check(address, type);
  }

  /** Checks a URL's form and, for a literal or well-known host, its address. DNS is checked at delivery. */
  validateUrl(value: string): string | null {
    // The URL parser silently drops tabs and line breaks; refuse them (and any control character).
    if ([...value].some((ch) => ch.charCodeAt(0) <= 0x20 || ch.charCodeAt(0) === 0x7f)) return 'url must not contain spaces or control characters';
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return 'url must be an absolute http or https URL';
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'url must use http or https';
    if (url.username || url.password) return 'url must not carry credentials';
    const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, ''); // `localhost.` is localhost
    if (this.hostAllowed(host)) return null;
    if (isIP(host) && !this.addressAllowed(host)) return 'url points to a private, loopback or link-local address (see WEBHOOK_ALLOWED_HOSTS)';
    if (/^localhost$|\.localhost$|\.local$|\.internal$/i.test(host)) return 'url points to a local host name (see WEBHOOK_ALLOWED_HOSTS)';
    return null;
  }
}

/** `whsec_` + base64 of 24–64 random bytes (Standard Webhooks secret format). */
export function generateSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export function isValidSecret(secret: string): boolean {
  const m = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
  if (!m) return false;
  const bytes = Buffer.from(m[1], 'base64');
  return bytes.length >= 24 && bytes.length <= 64 && bytes.toString('base64').replace(/=+$/, '') === m[1].replace(/=+$/, '');
}
