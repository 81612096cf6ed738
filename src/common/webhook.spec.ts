import { Webhook } from 'standardwebhooks';
import { embeddedIpv4, generateSecret, WebhookPolicy } from '../config/webhook-policy';
import { signWebhook } from './webhook';

describe('webhook signing and address policy', () => {
  it('signs as the Standard Webhooks library does, and the library verifies it', () => {
    const secret = generateSecret();
    const body = JSON.stringify({ id: 'x', content: { text: 'héllo ✓' } });
    const at = new Date('2026-11-29T05:00:00Z');
    const ts = Math.floor(at.getTime() / 1000);
    const signature = signWebhook(secret, 'msg_1', ts, body);
    expect(signature).toBe(new Webhook(secret).sign('msg_1', at, body));
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': signature };
    jest.useFakeTimers({ now: at });
    try {
      expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
      expect(() => new Webhook(generateSecret()).verify(body, headers)).toThrow();
    } finally {
      jest.useRealTimers();
    }
  });

  it('lets public IPv4 and IPv6 through and refuses private ones, IPv4-mapped forms included', () => {
    const policy = new WebhookPolicy([]);
    for (const ok of ['93.184.216.34', '8.8.8.8', '2606:4700::1111']) expect([ok, policy.addressAllowed(ok)]).toEqual([ok, true]);
    for (const bad of ['127.0.0.1', '10.0.0.1', '169.254.169.254', '::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a00:1', 'fd00::1', 'fe80::1']) {
      expect([bad, policy.addressAllowed(bad)]).toEqual([bad, false]);
    }
    expect(policy.validateUrl('https://93.184.216.34/hook')).toBeNull();
    expect(policy.validateUrl('https://[::ffff:127.0.0.1]/hook')).toMatch(/private/);
    expect(policy.validateUrl('https://[::ffff:7f00:1]/hook')).toMatch(/private/);
  });

  it('judges an IPv6 address that carries an IPv4 one (compatible, 6to4) by its IPv4 part, and refuses Teredo and NAT64', () => {
    const policy = new WebhookPolicy([]);
    for (const ok of ['2002:808:808::1', '::ffff:8.8.8.8', '2a00:1450:4001::200e']) expect([ok, policy.addressAllowed(ok)]).toEqual([ok, true]);
    for (const bad of ['::7f00:1', '::127.0.0.1', '::a00:1', '::', '2002:7f00:1::', '2002:a9fe:a9fe::1', '2002:c0a8:101::', '2001:0:4136:e378:8000:63bf:80ff:fffe', '64:ff9b::7f00:1', '64:ff9b:1::a00:1', '2001:db8::1', '3fff::1', '100::1', '::ffff:0:7f00:1', '::ffff:0:a00:1']) {
      expect([bad, policy.addressAllowed(bad)]).toEqual([bad, false]);
    }
    for (const url of ['http://[::127.0.0.1]/', 'http://[2002:7f00:1::]/', 'http://[2002:a9fe:a9fe::]/latest/meta-data']) expect([url, policy.validateUrl(url)]).toEqual([url, expect.stringMatching(/private/)]);
    expect(embeddedIpv4('2002:c0a8:101::')).toBe('192.168.1.1');
    expect(embeddedIpv4('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(embeddedIpv4('2606:4700::1111')).toBeNull();
    // The operator's exception for an IPv4 address covers its IPv6 spellings.
    const local = new WebhookPolicy(['127.0.0.1']);
    expect(local.addressAllowed('::ffff:127.0.0.1')).toBe(true);
    expect(local.addressAllowed('::ffff:127.0.0.2')).toBe(false);
  });

  it('judges an address the same however often it is asked', () => {
    const policy = new WebhookPolicy(['10.1.2.3']);
    for (let i = 0; i < 3; i++) {
      expect(policy.addressAllowed('127.0.0.1')).toBe(false);
      expect(policy.addressAllowed('::ffff:192.168.1.1')).toBe(false);
      expect(policy.addressAllowed('10.1.2.3')).toBe(true);
      expect(policy.addressAllowed('10.1.2.4')).toBe(false);
      expect(policy.addressAllowed('93.184.216.34')).toBe(true);
      expect(policy.addressAllowed('not an address')).toBe(false);
    }
  });
});
