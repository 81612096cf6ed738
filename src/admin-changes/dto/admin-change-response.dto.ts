import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ADMIN_CHANGE_KINDS, ADMIN_CHANGE_STATUSES, type AdminChangeKind, type AdminChangeStatus } from '../../four-eyes/admin-change.entity';

/** A sensitive administrative change: changeView() in admin-changes.service.ts. */
export class AdminChangeDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ADMIN_CHANGE_KINDS })
  kind!: AdminChangeKind;

  @ApiProperty({ enum: ADMIN_CHANGE_STATUSES, description: 'EXPIRED once expiresAt has passed without a decision' })
  status!: AdminChangeStatus;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The user (USER_UPDATE, and USER_CREATE once applied) or agency (AGENCY_WEBHOOK)' })
  targetId!: string | null;

  @ApiProperty({ format: 'uuid', description: 'The agency affected: it is sent an ADMIN_NOTICE when the change is applied' })
  agencyId!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'What was asked, as validated; never a password or secret (passwordReset / secretGiven say one was given)',
  })
  request!: Record<string, unknown>;

  @ApiProperty({ format: 'uuid' })
  requestedBy!: string;

  @ApiProperty({ format: 'date-time' })
  requestedAt!: string;

  @ApiProperty({ format: 'date-time' })
  expiresAt!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The ADMIN who approved or rejected it' })
  decidedBy!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  decidedAt!: string | null;
}

/** POST /admin/changes/:id/approve. */
export class AppliedChangeDto extends AdminChangeDto {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'What the original request would have answered: the user (USER_*), or {agencyId, url, secret?} (AGENCY_WEBHOOK; a generated secret, returned this once)',
  })
  result?: Record<string, unknown>;
}

/** The content of an ADMIN_NOTICE inbox item: an approved change that affects the agency; never a password or secret. */
export class AdminNoticeContentDto {
  @ApiProperty({ format: 'uuid' })
  changeId!: string;

  @ApiProperty({ enum: ADMIN_CHANGE_KINDS })
  change!: AdminChangeKind;

  @ApiProperty({ example: 'A user account of your agency was created' })
  summary!: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'What was asked, as the ADMINs saw it (no password or secret); `compartments` only those the reader holds, the others counted in `compartmentsNotShown`' })
  request!: Record<string, unknown>;

  @ApiPropertyOptional({ format: 'uuid', description: 'USER_CREATE: the new user' })
  userId?: string;

  @ApiProperty({ description: 'Username of the ADMIN who asked' })
  requestedBy!: string;

  @ApiProperty({ description: 'Username of the ADMIN who approved' })
  approvedBy!: string;

  @ApiProperty({ format: 'date-time' })
  appliedAt!: string;
}
