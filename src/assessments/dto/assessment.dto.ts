import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  Equals,
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  CLASSIFICATIONS,
  type Classification,
  LIKELIHOODS,
  type Likelihood,
  THREAT_LEVELS,
  type ThreatLevel,
  type Tlp,
  TLPS,
} from '../../access/markings';
import { IsCompartments } from '../../access/is-compartments.decorator';
import { IsIsoDateTime } from '../../common/iso-date';
import { AGENCY_CODE_PATTERN } from '../../agencies/dto/create-agency.dto';
import { SCOPES, type Scope } from '../assessment.entity';
import { UuidSpelling } from '../../common/pagination';

export class DistributionDto {
  @ApiPropertyOptional({ type: [String], example: ['POLICE', 'CUSTOMS'], description: 'Recipient agency codes (or use all)' })
  @ValidateIf((d: DistributionDto) => d.all === undefined)
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(500)
  @ArrayUnique()
  @IsString({ each: true })
  @Matches(AGENCY_CODE_PATTERN, { each: true, message: 'distribution.agencyCodes must hold agency codes' })
  agencyCodes?: string[];

  @ApiPropertyOptional({ example: true, description: 'Every active agency (not with agencyCodes)' })
  @ValidateIf((d: DistributionDto) => d.agencyCodes === undefined || d.all !== undefined)
  @IsBoolean()
  @Equals(true, { message: 'distribution.all must be true (or give agencyCodes instead)' })
  // Both given is a contradiction, not a request for the wider of the two.
  @ValidateBy({
    name: 'notWithAgencyCodes',
    validator: { validate: (_: unknown, args) => (args?.object as DistributionDto).agencyCodes === undefined, defaultMessage: () => 'distribution.all and distribution.agencyCodes exclude each other: give one' },
  })
  all?: true;
}

export class TearlineDto {
  @ApiProperty({ description: 'Sanitised summary for less-cleared recipients', maxLength: 5000 })
  @IsString()
  @Length(1, 5000)
  summary!: string;

  @ApiProperty({ enum: CLASSIFICATIONS, description: 'No higher than the assessment' })
  @IsIn(CLASSIFICATIONS)
  classification!: Classification;

  @ApiProperty({ enum: TLPS })
  @IsIn(TLPS)
  tlp!: Tlp;
}

export class CreateAssessmentDto {
  @ApiProperty({ minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  title!: string;

  @ApiProperty({ type: [String], maxItems: 20 })
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 2000, { each: true })
  keyJudgements!: string[];

  @ApiProperty({ maxLength: 50000 })
  @IsString()
  @MaxLength(50000)
  body!: string;

  @ApiProperty({ enum: LIKELIHOODS, description: 'UK PHIA probability yardstick' })
  @IsIn(LIKELIHOODS)
  likelihood!: Likelihood;

  @ApiProperty({ enum: THREAT_LEVELS })
  @IsIn(THREAT_LEVELS)
  recommendedLevel!: ThreatLevel;

  @ApiProperty({ enum: SCOPES })
  @IsIn(SCOPES)
  scope!: Scope;

  @ApiPropertyOptional({ description: 'Required when scope is REGIONAL', maxLength: 100 })
  @ValidateIf((a: CreateAssessmentDto) => a.scope === 'REGIONAL' || a.region !== undefined)
  @IsString()
  @Length(1, 100)
  region?: string;

  @ApiProperty({ type: [String], example: ['TRANSPORT'], maxItems: 20 })
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  sectors!: string[];

  @ApiProperty({ type: [String], format: 'uuid', description: 'Cited reports (each must be readable by the author)' })
  @IsArray()
  @ArrayMaxSize(200)
  @UuidSpelling()
  @ArrayUnique()
  @IsUUID('all', { each: true })
  reportIds!: string[];

  @ApiProperty({ enum: CLASSIFICATIONS, description: 'At least the highest cited report' })
  @IsIn(CLASSIFICATIONS)
  classification!: Classification;

  @ApiProperty({ type: [String], description: 'At least the union of the cited reports’ compartments' })
  @IsCompartments()
  compartments!: string[];

  @ApiProperty({ enum: TLPS, description: 'At least as restrictive as the most restrictive cited report' })
  @IsIn(TLPS)
  tlp!: Tlp;

  @ApiProperty({ format: 'date-time' })
  @IsIsoDateTime()
  validUntil!: string;

  @ApiProperty({ type: DistributionDto, description: '{agencyCodes: [...]} or {all: true}' })
  @IsObject()
  @ValidateNested()
  @Type(() => DistributionDto)
  distribution!: DistributionDto;

  @ApiPropertyOptional({ format: 'uuid', description: 'A published assessment this one replaces on publication' })
  @IsOptional()
  @UuidSpelling()
  @IsUUID()
  supersedes?: string;

  @ApiPropertyOptional({ type: TearlineDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => TearlineDto)
  tearline?: TearlineDto;
}

export class UpdateAssessmentDto extends PartialType(CreateAssessmentDto) {}
