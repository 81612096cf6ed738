import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsOptional, IsString, Length } from 'class-validator';
import { PageQuery } from '../../common/pagination';
import { REPORT_CATEGORIES, type ReportCategory } from '../report.entity';

export class ListReportsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: REPORT_CATEGORIES })
  @IsOptional()
  @IsIn(REPORT_CATEGORIES)
  category?: ReportCategory;

  @ApiPropertyOptional({ format: 'date-time', description: 'occurredAt at or after' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'from must be an ISO-8601 date-time' })
  from?: Date;

  @ApiPropertyOptional({ format: 'date-time', description: 'occurredAt before' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'to must be an ISO-8601 date-time' })
  to?: Date;

  @ApiPropertyOptional({ description: 'Full-text search of title and narrative (web-search syntax)' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  q?: string;
}
