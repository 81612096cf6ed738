import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { AuditService } from './audit.service';
import { canonicalJson, GENESIS_HASH } from './canonical';

/** A signed statement of the chain's head: "at `at`, event `seq` of the log had hash `hash`". */
export interface HeadReceipt {
  seq: number;
  hash: string;
  /** When the receipt was signed (ISO 8601, UTC). */
  at: string;
  keyId: string;
  /** base64 of the Ed25519 signature of {@link receiptMessage}. */
  signature: string;
}

export const RECEIPT_PROBLEMS = ['UNKNOWN_KEY', 'BAD_SIGNATURE', 'EVENT_MISSING', 'HASH_MISMATCH', 'CHAIN_BROKEN'] as const;
export type ReceiptProblem = (typeof RECEIPT_PROBLEMS)[number];

export interface ReceiptCheck {
  valid: boolean;
  /** Why not (null when valid). */
  problem: ReceiptProblem | null;
  /** With CHAIN_BROKEN: the first seq from 1 that does not verify. */
  brokenAtSeq?: number;
}

export interface SigningKeyView {
  keyId: string;
  algorithm: 'Ed25519';
  /** base64 of the raw 32-byte public key. */
  publicKey: string;
  /** The same key as an SPKI PEM (what `crypto.verify` and OpenSSL take). */
  publicKeyPem: string;
  recordedAt: string;
  /** Whether this API process signs with it now. */
  current: boolean;
}

/** DER prefix of a PKCS#8 Ed25519 private key; the 32-byte seed follows (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The bytes a receipt's signature covers: its other four fields as canonical JSON (sorted keys, no spaces). */
export function receiptMessage(r: Omit<HeadReceipt, 'signature'>): Buffer {
  return Buffer.from(canonicalJson({ seq: r.seq, hash: r.hash, at: r.at, keyId: r.keyId }), 'utf8');
}

/** `keyId` = the first 16 hex digits of SHA-256 of the raw 32-byte public key. */
export function keyIdOf(rawPublicKey: Buffer): string {
  return createHash('sha256').update(rawPublicKey).digest('hex').slice(0, 16);
}

function publicKeyFromRaw(raw: Buffer): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

/**
 * Signed head receipts. The key (AUDIT_SIGNING_KEY) lives only in the processes' memory, never in the
 * database; its public half is recorded in `audit_signing_key` at start-up so every process (each with
 * its own key in development and test) can check another's receipts. A receipt checks only if its
 * signature is by a recorded key AND the chain still holds that event with that hash AND verifies
 * from seq 1 to it: a truncated chain, or one rewritten even consistently, fails.
 */
@Injectable()
export class AuditReceiptService implements OnModuleInit {
  private readonly logger = new Logger(AuditReceiptService.name);
  private readonly privateKey: KeyObject;
  private readonly rawPublicKey: Buffer;
  readonly keyId: string;
  private recorded = false;

  constructor(
    config: AppConfig,
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {
    const seed = Buffer.from(config.AUDIT_SIGNING_KEY as string, 'base64');
    this.privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    const jwk = createPublicKey(this.privateKey).export({ format: 'jwk' });
    this.rawPublicKey = Buffer.from(jwk.x as string, 'base64url');
    this.keyId = keyIdOf(this.rawPublicKey);
  }

  async onModuleInit(): Promise<void> {
    try {
      await this.recordKey();
    } catch (err) {
      // Not fatal here: it is recorded again before the first receipt is signed.
      this.logger.warn({ err: err instanceof Error ? err.message : String(err), keyId: this.keyId }, 'could not record the audit signing key yet');
    }
  }

  private async recordKey(): Promise<void> {
    if (this.recorded) return;
    await this.ds.query(`INSERT INTO audit_signing_key (key_id, algorithm, public_key) VALUES ($1, 'Ed25519', $2) ON CONFLICT (key_id) DO NOTHING`, [
      this.keyId,
      this.rawPublicKey.toString('base64'),
    ]);
    this.recorded = true;
    this.logger.log({ keyId: this.keyId }, 'audit signing key recorded');
  }

  /** A receipt for the chain's head, after chaining everything committed so far. */
  async head(): Promise<HeadReceipt> {
    await this.recordKey();
    await this.audit.flush();
    const [head] = await this.ds.query<{ seq: string; hash: string }[]>('SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1');
    const unsigned = { seq: head ? Number(head.seq) : 0, hash: head ? head.hash : GENESIS_HASH, at: new Date().toISOString(), keyId: this.keyId };
    return { ...unsigned, signature: sign(null, receiptMessage(unsigned), this.privateKey).toString('base64') };
  }

  /** The public keys receipts are signed with (recorded ones whose keyId matches their key). */
  async keys(): Promise<SigningKeyView[]> {
    const rows = await this.ds.query<{ keyId: string; publicKey: string; recordedAt: Date }[]>(
      `SELECT key_id AS "keyId", public_key AS "publicKey", recorded_at AS "recordedAt" FROM audit_signing_key WHERE algorithm = 'Ed25519' ORDER BY recorded_at, key_id`,
    );
    const out: SigningKeyView[] = [];
    for (const row of rows) {
      const raw = Buffer.from(row.publicKey, 'base64');
      if (raw.length !== 32 || keyIdOf(raw) !== row.keyId) continue; // not a key we recorded
      out.push({
        keyId: row.keyId,
        algorithm: 'Ed25519',
        publicKey: row.publicKey,
        publicKeyPem: publicKeyFromRaw(raw).export({ format: 'pem', type: 'spki' }).toString(),
        recordedAt: row.recordedAt.toISOString(),
        current: row.keyId === this.keyId,
      });
    }
    return out;
  }

  private async publicKey(keyId: string): Promise<KeyObject | null> {
    if (keyId === this.keyId) return publicKeyFromRaw(this.rawPublicKey);
    const [row] = await this.ds.query<{ publicKey: string }[]>(
      `SELECT public_key AS "publicKey" FROM audit_signing_key WHERE key_id = $1 AND algorithm = 'Ed25519'`,
      [keyId],
    );
    if (!row) return null;
    const raw = Buffer.from(row.publicKey, 'base64');
    return raw.length === 32 && keyIdOf(raw) === keyId ? publicKeyFromRaw(raw) : null;
  }

  /** Whether `r` is ours and the chain still holds it (see the class comment). */
  async check(r: HeadReceipt): Promise<ReceiptCheck> {
    const key = await this.publicKey(r.keyId);
    if (!key) return { valid: false, problem: 'UNKNOWN_KEY' };
    const signature = Buffer.from(r.signature, 'base64');
    if (signature.length !== 64 || !verify(null, receiptMessage(r), key, signature)) return { valid: false, problem: 'BAD_SIGNATURE' };
    if (r.seq === 0) return r.hash === GENESIS_HASH ? { valid: true, problem: null } : { valid: false, problem: 'HASH_MISMATCH' };
    await this.audit.flush();
    const [event] = await this.ds.query<{ hash: string }[]>('SELECT hash FROM audit_event WHERE seq = $1', [String(r.seq)]);
    if (!event) return { valid: false, problem: 'EVENT_MISSING' };
    if (event.hash !== r.hash) return { valid: false, problem: 'HASH_MISMATCH' };
    // The shared whole-chain walk (one at a time, however many ask): the prefix 1..seq verifies iff the
    // walk breaks nowhere up to seq and reaches it.
    const chain = await this.audit.verifyShared();
    const brokenAt = !chain.valid ? chain.brokenAtSeq : chain.headSeq < r.seq ? chain.headSeq + 1 : null;
    if (brokenAt !== null && brokenAt <= r.seq) return { valid: false, problem: 'CHAIN_BROKEN', brokenAtSeq: brokenAt };
    return { valid: true, problem: null };
  }
}
