import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';

import { IsIsoDateTime } from '../../common/iso-date';
import { PageQuery } from '../../common/pagination';
import { REPORT_CATEGORIES, type ReportCategory } from '../report.entity';

export class ListReportsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: REPORT_CATEGORIES })
  @IsOptional()
  @IsIn(REPORT_CATEGORIES)
  category?: ReportCategory;

  @ApiPropertyOptional({ format: 'date-time', description: 'occurredAt at or after' })
  @IsOptional()
  @IsIsoDateTime()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'occurredAt before' })
  @IsOptional()
  @IsIsoDateTime()
  to?: string;

  @ApiPropertyOptional({ description: 'Full-text search of title and narrative (web-search syntax)' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  q?: string;
}
