import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  CLASSIFICATIONS,
  type Classification,
  SOURCE_RELIABILITIES,
  type SourceReliability,
  type Tlp,
  TLPS,
} from '../../access/markings';
import { IsCompartments } from '../../access/is-compartments.decorator';
import { IsIsoDateTime } from '../../common/iso-date';
import { AGENCY_CODE_PATTERN } from '../../agencies/dto/create-agency.dto';
import { ENTITY_TYPES, type EntityType } from '../normalise';
import { REPORT_CATEGORIES, type ReportCategory } from '../report.entity';

export const MAX_ENTITIES = 200;

export class LocationDto {
  @ApiPropertyOptional({ example: 'Central Station', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  placeName?: string;

  @ApiPropertyOptional({ example: 'CAPITAL', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  region?: string;

  @ApiPropertyOptional({ minimum: -90, maximum: 90, example: 51.5 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-90)
  @Max(90)
  lat?: number;

  @ApiPropertyOptional({ minimum: -180, maximum: 180, example: -0.12 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-180)
  @Max(180)
  lon?: number;
}

export class EntityDto {
  @ApiProperty({ enum: ENTITY_TYPES })
  @IsIn(ENTITY_TYPES)
  type!: EntityType;

  @ApiProperty({ example: '+44 7700 900123', maxLength: 500 })
  @IsString()
  @Length(1, 500)
  value!: string;
}

export class CreateReportDto {
  @ApiProperty({ minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  title!: string;

  @ApiProperty({ maxLength: 20000 })
  @IsString()
  @MaxLength(20000)
  narrative!: string;

  @ApiProperty({ enum: REPORT_CATEGORIES })
  @IsIn(REPORT_CATEGORIES)
  category!: ReportCategory;

  @ApiProperty({ format: 'date-time', example: '2026-11-20T14:00:00Z' })
  @IsIsoDateTime()
  occurredAt!: string;

  @ApiPropertyOptional({ type: LocationDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => LocationDto)
  location?: LocationDto;

  @ApiProperty({ enum: SOURCE_RELIABILITIES, description: 'Admiralty source reliability A–F' })
  @IsIn(SOURCE_RELIABILITIES)
  sourceReliability!: SourceReliability;

  @ApiProperty({ minimum: 1, maximum: 6, description: 'Admiralty information credibility 1–6' })
  @IsInt()
  @Min(1)
  @Max(6)
  informationCredibility!: number;

  @ApiProperty({ enum: CLASSIFICATIONS })
  @IsIn(CLASSIFICATIONS)
  classification!: Classification;

  @ApiProperty({ type: [String], example: [], description: 'Upper-case compartment tokens; readers must hold all' })
  @IsCompartments()
  compartments!: string[];

  @ApiProperty({ enum: TLPS })
  @IsIn(TLPS)
  tlp!: Tlp;

  @ApiPropertyOptional({ type: [String], example: ['CUSTOMS'], description: 'Agency codes the report is shared with' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsString({ each: true })
  @Matches(AGENCY_CODE_PATTERN, { each: true, message: 'releasableTo must hold agency codes' })
  releasableTo?: string[];

  @ApiPropertyOptional({ maxLength: 5000, description: 'Source identity and handling notes: originating agency only' })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  sourceDescription?: string;

  @ApiProperty({ minLength: 1, maxLength: 5000, description: 'Reasonable-suspicion statement (28 CFR 23.20(a))' })
  @IsString()
  @Length(1, 5000)
  @Matches(/\S/, { message: 'suspicionBasis must not be blank' })
  suspicionBasis!: string;

  @ApiPropertyOptional({ type: [EntityDto], maxItems: MAX_ENTITIES })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_ENTITIES)
  @ValidateNested({ each: true })
  @Type(() => EntityDto)
  entities?: EntityDto[];
}
