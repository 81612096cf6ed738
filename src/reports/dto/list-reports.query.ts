import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Length, Matches } from 'class-validator';

const ISO_DATE_TIME = /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d{1,6})?)?(Z|[+-]\d\d:?\d\d)?)?$/;
import { PageQuery } from '../../common/pagination';
import { REPORT_CATEGORIES, type ReportCategory } from '../report.entity';

export class ListReportsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: REPORT_CATEGORIES })
  @IsOptional()
  @IsIn(REPORT_CATEGORIES)
  category?: ReportCategory;

  @ApiPropertyOptional({ format: 'date-time', description: 'occurredAt at or after' })
  @IsOptional()
  @IsString()
  @Matches(ISO_DATE_TIME, { message: 'from must be an ISO-8601 date-time' })
  @IsISO8601({ strict: true, strictSeparator: true }, { message: 'from must be an ISO-8601 date-time' })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'occurredAt before' })
  @IsOptional()
  @IsString()
  @Matches(ISO_DATE_TIME, { message: 'to must be an ISO-8601 date-time' })
  @IsISO8601({ strict: true, strictSeparator: true }, { message: 'to must be an ISO-8601 date-time' })
  to?: string;

  @ApiPropertyOptional({ description: 'Full-text search of title and narrative (web-search syntax)' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  q?: string;
}
