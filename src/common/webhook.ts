import { isIP } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { createHmac } from 'node:crypto';
import type { WebhookPolicy } from '../config/webhook-policy';

export interface WebhookResult {
  ok: boolean;
  status: number | null;
  error: string | null;
}

/**
 * The Standard Webhooks signature: `v1,` + base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`)), the key
 * being the secret's base64 part. Node's own HMAC (the standardwebhooks library hashes in JavaScript);
 * the tests, the demo and the fault checker verify it with that library.
 */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

const TIMEOUT_MS = 10_000;
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * POSTs `body` signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature =
 * v1,base64(HMAC-SHA256(id.timestamp.body))). Any 2xx counts as delivered. No redirects are followed,
 * the response is read up to 64 KiB, and the connection goes only to addresses the policy allows —
 * checked on the resolved address at connect time, so DNS rebinding cannot slip past it.
 */
export function postWebhook(policy: WebhookPolicy, url: string, secret: string, id: string, body: string): Promise<WebhookResult> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const hostListed = policy.hostAllowed(host);
  if (isIP(host) && !hostListed && !policy.addressAllowed(host)) {
    return Promise.resolve({ ok: false, status: null, error: 'address not allowed' });
  }
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = signWebhook(secret, id, timestamp, body);
  const lookup = (hostname: string, options: object, cb: (err: Error | null, address: string | LookupAddress[], family?: number) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return cb(err, []);
      const list = addresses;
      const bad = list.find((a) => !hostListed && !policy.addressAllowed(a.address));
      if (bad) return cb(new Error(`address ${bad.address} not allowed`), []);
      const all = (options as { all?: boolean }).all;
      if (all) return cb(null, list);
      return cb(null, list[0].address, list[0].family);
    });
  };
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: WebhookResult) => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    const req = client.request(
      target,
      {
        method: 'POST',
        lookup: lookup,
        timeout: TIMEOUT_MS,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'fusion-cell-webhooks/1',
          'webhook-id': id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signature,
        },
      },
      (res) => {
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_RESPONSE_BYTES) res.destroy();
        });
        const status = res.statusCode ?? 0;
        const finish = () => done({ ok: status >= 200 && status < 300, status, error: status >= 200 && status < 300 ? null : `HTTP ${status}` });
        res.on('end', finish);
        res.on('close', finish);
        res.on('error', finish);
      },
    );
    const overall = setTimeout(() => req.destroy(new Error('timeout')), TIMEOUT_MS);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => done({ ok: false, status: null, error: err.message }));
    req.on('close', () => clearTimeout(overall));
    req.end(body);
  });
}
