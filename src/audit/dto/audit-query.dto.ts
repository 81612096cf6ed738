import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDate, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { parseIsoDateTime } from '../../common/iso-date';
import { PageQuery, UuidSpelling } from '../../common/pagination';
import { AUDIT_OUTCOMES, type AuditOutcome } from '../audit-event.entity';

export class AuditFilterQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @UuidSpelling()
  @IsUUID()
  actorId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @UuidSpelling()
  @IsUUID()
  agencyId?: string;

  @ApiPropertyOptional({ example: 'report.read', description: '`<resource>.<verb>`' })
  @IsOptional()
  @Matches(/^[a-z_]+\.[a-z_]+$/, { message: 'action must look like resource.verb' })
  action?: string;

  @ApiPropertyOptional({ description: 'Events of requests that sent this X-Request-Id' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9._:-]{1,128}$/, { message: 'clientRequestId must be 1–128 of A-Z a-z 0-9 . _ : -' })
  clientRequestId?: string;

  @ApiPropertyOptional({ example: 'Report' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  resourceType?: string;

  @ApiPropertyOptional({ description: 'Finds every event in which this item was read, listed, returned or disseminated' })
  @IsOptional()
  @UuidSpelling()
  @IsString()
  @MaxLength(200)
  resourceId?: string;

  @ApiPropertyOptional({ enum: AUDIT_OUTCOMES })
  @IsOptional()
  @IsIn(AUDIT_OUTCOMES)
  outcome?: AuditOutcome;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @Transform(toIsoDate)
  @IsDate({ message: 'from must be an ISO-8601 date-time' })
  from?: Date;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @Transform(toIsoDate)
  @IsDate({ message: 'to must be an ISO-8601 date-time' })
  to?: Date;
}

export class AuditSearchQuery extends IntersectionType(AuditFilterQuery, PageQuery) {}

export class AuditExportQuery extends AuditFilterQuery {
  @ApiPropertyOptional({ enum: ['ndjson', 'csv'], default: 'ndjson' })
  @IsOptional()
  @IsIn(['ndjson', 'csv'])
  format: 'ndjson' | 'csv' = 'ndjson';

  @ApiPropertyOptional({ description: 'Why the log is exported (recorded in the audit log)' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  purpose?: string;
}

/** A date-time the API takes ({@link parseIsoDateTime}) as a Date; anything else an Invalid Date. */
function toIsoDate({ value }: { value: unknown }): unknown {
  return typeof value === 'string' ? (parseIsoDateTime(value) ?? new Date(NaN)) : value;
}
