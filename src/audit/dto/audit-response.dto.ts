import { ApiProperty } from '@nestjs/swagger';
import { AUDIT_OUTCOMES, type AuditOutcome } from '../audit-event.entity';

/** One event of the hash-chained log: auditEventView() in audit.controller.ts. */
export class AuditEventDto {
  @ApiProperty({ type: 'integer', description: 'Position in the chain, from 1, gap-free' })
  seq!: number;

  @ApiProperty({ format: 'date-time', example: '2026-12-07T21:55:00.123000Z', description: 'As stored, to the microsecond, UTC: the exact text the v2 hash covers' })
  at!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  actorId!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  agencyId!: string | null;

  @ApiProperty({ example: 'report.read', description: '`<resource>.<verb>`' })
  action!: string;

  @ApiProperty({ type: String, nullable: true, example: 'Report' })
  resourceType!: string | null;

  @ApiProperty({ type: String, nullable: true })
  resourceId!: string | null;

  @ApiProperty({ type: [String], description: 'Every item a list or search returned, or a dissemination’s assessment and agency' })
  resourceIds!: string[];

  @ApiProperty({ enum: AUDIT_OUTCOMES })
  outcome!: AuditOutcome;

  @ApiProperty({ type: String, nullable: true })
  reason!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The system’s own id of the request (a UUID; `(name)` for the system’s own work)' })
  requestId!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The X-Request-Id the client sent, if any: kept for correlation, never trusted as requestId' })
  clientRequestId!: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'Event-specific detail' })
  details!: Record<string, unknown> | null;

  @ApiProperty({ example: 'a3f1…', description: 'sha256(prevHash || canonical(event)), lowercase hex' })
  hash!: string;

  @ApiProperty({ description: 'The previous event’s hash (64 zeros before the first)' })
  prevHash!: string;

  @ApiProperty({ type: 'integer', enum: [1, 2], description: 'The canonical form the hash covers (docs/audit.md): 1 for events chained before v2, 2 since' })
  canon!: number;
}

/** GET /audit-events/verify when the chain is intact. */
export class AuditChainValidDto {
  @ApiProperty({ type: 'boolean', enum: [true] })
  valid!: true;

  @ApiProperty({ type: 'integer', description: 'Events checked' })
  checked!: number;

  @ApiProperty({ type: 'integer' })
  headSeq!: number;

  @ApiProperty()
  headHash!: string;
}

/** GET /audit-events/verify when the chain breaks: where, and how far it held. */
export class AuditChainBrokenDto {
  @ApiProperty({ type: 'boolean', enum: [false] })
  valid!: false;

  @ApiProperty({ type: 'integer', description: 'Events that verified before the break' })
  checked!: number;

  @ApiProperty({ type: 'integer', description: 'The first seq that does not verify (or is missing)' })
  brokenAtSeq!: number;

  @ApiProperty({ type: 'integer' })
  headSeq!: number;

  @ApiProperty()
  headHash!: string;
}
