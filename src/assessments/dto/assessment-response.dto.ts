import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
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
import type { ItemModels } from '../../common/pagination';
import { ASSESSMENT_STATUSES, type AssessmentStatus, SCOPES, type Scope } from '../assessment.entity';
import { TearlineDto } from './assessment.dto';

/** `distribution` naming its recipient agencies. */
export class DistributionCodesDto {
  @ApiProperty({ type: [String], example: ['POLICE', 'CUSTOMS'] })
  agencyCodes!: string[];
}

/** `distribution` to every active agency. */
export class DistributionAllDto {
  @ApiProperty({ type: 'boolean', enum: [true] })
  all!: true;
}

/** Said of the cell's workflow fields, which a reader outside the fusion cell does not get (SPEC S1). */
const CELL_ONLY = 'Only for readers in the fusion cell (absent for any other agency’s reader, as in the disseminated copy)';

/** An assessment in full: fullView() in assessments.service.ts (fullViewFor: without the cell's workflow fields outside the cell). */
@ApiExtraModels(DistributionCodesDto, DistributionAllDto)
export class AssessmentDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['FULL'], description: 'The full text (a tearline-only reader gets AssessmentTearlineDto)' })
  variant!: 'FULL';

  @ApiProperty({ enum: ASSESSMENT_STATUSES })
  status!: AssessmentStatus;

  @ApiPropertyOptional({ format: 'uuid', description: CELL_ONLY })
  authorId?: string;

  @ApiProperty()
  title!: string;

  @ApiProperty({ type: [String] })
  keyJudgements!: string[];

  @ApiProperty()
  body!: string;

  @ApiProperty({ enum: LIKELIHOODS, description: 'UK PHIA probability yardstick' })
  likelihood!: Likelihood;

  @ApiProperty({ enum: THREAT_LEVELS })
  recommendedLevel!: ThreatLevel;

  @ApiProperty({ enum: SCOPES })
  scope!: Scope;

  @ApiProperty({ type: String, nullable: true, description: 'Set when scope is REGIONAL' })
  region!: string | null;

  @ApiProperty({ type: [String], example: ['TRANSPORT'] })
  sectors!: string[];

  @ApiProperty({ type: [String], format: 'uuid', description: 'Cited reports, only those the caller may read' })
  reportIds!: string[];

  @ApiProperty({ enum: CLASSIFICATIONS })
  classification!: Classification;

  @ApiProperty({ type: [String] })
  compartments!: string[];

  @ApiProperty({ enum: TLPS })
  tlp!: Tlp;

  @ApiProperty({ format: 'date-time' })
  validUntil!: string;

  @ApiPropertyOptional({
    oneOf: [{ $ref: getSchemaPath(DistributionCodesDto) }, { $ref: getSchemaPath(DistributionAllDto) }],
    description: `{agencyCodes: [...]} or {all: true}. ${CELL_ONLY}`,
  })
  distribution?: DistributionCodesDto | DistributionAllDto;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The assessment this one replaces on publication' })
  supersedes!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  supersededBy!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  supersededAt!: string | null;

  @ApiProperty({ type: TearlineDto, nullable: true })
  tearline!: TearlineDto | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: CELL_ONLY })
  submittedAt?: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  publishedAt!: string | null;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: CELL_ONLY })
  publishedBy?: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

/** What a reader cleared only for the tearline gets: tearlineView() in assessments.service.ts. */
export class AssessmentTearlineDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['TEARLINE'] })
  variant!: 'TEARLINE';

  @ApiProperty({ type: TearlineDto, nullable: true })
  tearline!: TearlineDto | null;
}

/** GET /assessments and /assessments/:id answer either view, told apart by `variant`. */
export const ASSESSMENT_VIEW: ItemModels = {
  oneOf: [AssessmentDto, AssessmentTearlineDto],
  discriminator: {
    propertyName: 'variant',
    mapping: { FULL: getSchemaPath(AssessmentDto), TEARLINE: getSchemaPath(AssessmentTearlineDto) },
  },
};
