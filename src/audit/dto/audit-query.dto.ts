import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { isISO8601, IsDate, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PageQuery } from '../../common/pagination';
import { AUDIT_OUTCOMES, type AuditOutcome } from '../audit-event.entity';

export class AuditFilterQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  actorId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  agencyId?: string;

  @ApiPropertyOptional({ example: 'report.read', description: '`<resource>.<verb>`' })
  @IsOptional()
  @Matches(/^[a-z_]+\.[a-z_]+$/, { message: 'action must look like resource.verb' })
  action?: string;

  @ApiPropertyOptional({ example: 'Report' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  resourceType?: string;

  @ApiPropertyOptional({ description: 'Finds every event in which this item was read, listed, returned or disseminated' })
  @IsOptional()
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

/** A strict ISO-8601 date-time (4-digit year, real calendar date) as a Date; anything else an Invalid Date. */
function toIsoDate({ value }: { value: unknown }): unknown {
  if (typeof value !== 'string') return value;
  const ok = /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d{1,6})?)?(Z|[+-]\d\d:?\d\d)?)?$/.test(value) && isISO8601(value, { strict: true, strictSeparator: true });
  return ok ? new Date(value) : new Date(NaN);
}
