import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CLASSIFICATIONS, type Classification, SOURCE_RELIABILITIES, type SourceReliability, type Tlp, TLPS } from '../../access/markings';
import { ENTITY_TYPES, type EntityType } from '../normalise';
import { REPORT_CATEGORIES, type ReportCategory } from '../report.entity';
import { LocationDto } from './create-report.dto';

/** An entity named in a report, as submitted and as normalised for correlation. */
export class ReportEntityDto {
  @ApiProperty({ enum: ENTITY_TYPES })
  type!: EntityType;

  @ApiProperty({ example: '+44 7700 900123', description: 'As submitted' })
  value!: string;

  @ApiProperty({ example: '+447700900123', description: 'Normalised: the form correlation matches on' })
  normalized!: string;
}

/** A report as the API returns it: reportView() in reports.service.ts. */
export class ReportDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid', description: 'The originating agency' })
  agencyId!: string;

  @ApiProperty()
  title!: string;

  @ApiProperty()
  narrative!: string;

  @ApiProperty({ enum: REPORT_CATEGORIES })
  category!: ReportCategory;

  @ApiProperty({ format: 'date-time' })
  occurredAt!: string;

  @ApiProperty({ type: LocationDto, nullable: true })
  location!: LocationDto | null;

  @ApiProperty({ enum: SOURCE_RELIABILITIES, description: 'Admiralty source reliability A–F' })
  sourceReliability!: SourceReliability;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 6, description: 'Admiralty information credibility 1–6' })
  informationCredibility!: number;

  @ApiProperty({ enum: CLASSIFICATIONS })
  classification!: Classification;

  @ApiProperty({ type: [String], example: [] })
  compartments!: string[];

  @ApiProperty({ enum: TLPS })
  tlp!: Tlp;

  @ApiProperty({ type: [String], example: ['CUSTOMS'], description: 'Agency codes the report is shared with' })
  releasableTo!: string[];

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Source identity and handling notes: present only for the originating agency (null when none was given)',
  })
  sourceDescription?: string | null;

  @ApiProperty({ description: 'Reasonable-suspicion statement (28 CFR 23.20(a))' })
  suspicionBasis!: string;

  @ApiProperty({ type: [ReportEntityDto] })
  entities!: ReportEntityDto[];

  @ApiProperty({ format: 'date-time', description: 'When retention reviews the report (purged unless validated by then)' })
  reviewDueAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  validatedAt!: string | null;

  @ApiProperty({ format: 'uuid', description: 'The submitting user' })
  createdBy!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}
