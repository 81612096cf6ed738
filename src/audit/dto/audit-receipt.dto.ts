import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsISO8601, IsString, Matches, Max, Min } from 'class-validator';
import { RECEIPT_PROBLEMS, type ReceiptProblem } from '../audit-receipt.service';

/** A signed head receipt: GET /audit-events/head returns one, POST /audit-events/verify-receipt takes one. */
export class HeadReceiptDto {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'The head event’s seq (0: the log was empty)' })
  @IsInt({ message: 'seq must be an integer' })
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  seq!: number;

  @ApiProperty({ example: 'a3f1…', description: 'That event’s hash (64 lowercase hex digits)' })
  @IsString()
  @Matches(/^[0-9a-f]{64}$/, { message: 'hash must be 64 lowercase hex digits' })
  hash!: string;

  @ApiProperty({ format: 'date-time', description: 'When the receipt was signed' })
  @IsString()
  @IsISO8601({ strict: true }, { message: 'at must be an ISO-8601 date-time' })
  at!: string;

  @ApiProperty({ example: '3b1f0c9a2d4e5f60', description: 'First 16 hex digits of SHA-256 of the raw 32-byte Ed25519 public key' })
  @IsString()
  @Matches(/^[0-9a-f]{16}$/, { message: 'keyId must be 16 lowercase hex digits' })
  keyId!: string;

  @ApiProperty({
    description: 'base64 of the Ed25519 signature of the UTF-8 JSON {"at","hash","keyId","seq"} with sorted keys and no spaces (docs/audit.md)',
  })
  @IsString()
  @Matches(/^[A-Za-z0-9+/]{86}==$/, { message: 'signature must be the base64 of a 64-byte Ed25519 signature' })
  signature!: string;
}

/** POST /audit-events/verify-receipt. */
export class ReceiptCheckDto {
  @ApiProperty({ description: 'The signature is by one of our keys, and the chain holds that event with that hash and verifies from seq 1 to it' })
  valid!: boolean;

  @ApiProperty({ enum: RECEIPT_PROBLEMS, nullable: true, description: 'Why not: an unknown key, a bad signature, the event gone (truncated), another hash there (rewritten), or the chain broken before it' })
  problem!: ReceiptProblem | null;

  @ApiPropertyOptional({ type: 'integer', description: 'With CHAIN_BROKEN: the first seq that does not verify' })
  brokenAtSeq?: number;
}

/** GET /audit-events/keys: one public key receipts are signed with. */
export class SigningKeyDto {
  @ApiProperty({ example: '3b1f0c9a2d4e5f60' })
  keyId!: string;

  @ApiProperty({ enum: ['Ed25519'] })
  algorithm!: 'Ed25519';

  @ApiProperty({ description: 'base64 of the raw 32-byte public key' })
  publicKey!: string;

  @ApiProperty({ description: 'The same key as an SPKI PEM' })
  publicKeyPem!: string;

  @ApiProperty({ format: 'date-time', description: 'When a process first signed with it' })
  recordedAt!: string;

  @ApiProperty({ description: 'Whether the answering API process signs with it now' })
  current!: boolean;
}
