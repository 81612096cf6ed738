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
import { SCOPES, type Scope } from '../../assessments/assessment.entity';
import { TearlineDto } from '../../assessments/dto/assessment.dto';
import { ThreatLevelDto } from '../../threat-level/dto/threat-level-response.dto';
import {
  DISSEMINATION_KINDS,
  DISSEMINATION_STATUSES,
  type DisseminationKind,
  type DisseminationStatus,
  type Variant,
  VARIANTS,
} from '../dissemination.entity';

/** One recipient of an assessment: disseminationView() in dissemination.service.ts. */
export class DisseminationDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'CUSTOMS' })
  agencyCode!: string;

  @ApiProperty({ enum: VARIANTS })
  variant!: Variant;

  @ApiProperty({ enum: DISSEMINATION_STATUSES })
  status!: DisseminationStatus;

  @ApiProperty({ type: 'integer', description: 'Delivery attempts so far' })
  attempts!: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  deliveredAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  acknowledgedAt!: string | null;
}

/** Inbox content of variant FULL: the assessment as published, without the cell's workflow fields (assessmentContent() in outbox.service.ts). */
export class InboxAssessmentContentDto {
  @ApiProperty({ format: 'uuid' })
  assessmentId!: string;

  @ApiProperty()
  title!: string;

  @ApiProperty({ type: [String] })
  keyJudgements!: string[];

  @ApiProperty()
  body!: string;

  @ApiProperty({ enum: LIKELIHOODS })
  likelihood!: Likelihood;

  @ApiProperty({ enum: THREAT_LEVELS })
  recommendedLevel!: ThreatLevel;

  @ApiProperty({ enum: SCOPES })
  scope!: Scope;

  @ApiProperty({ type: String, nullable: true })
  region!: string | null;

  @ApiProperty({ type: [String] })
  sectors!: string[];

  @ApiProperty({ enum: CLASSIFICATIONS })
  classification!: Classification;

  @ApiProperty({ type: [String] })
  compartments!: string[];

  @ApiProperty({ enum: TLPS })
  tlp!: Tlp;

  @ApiProperty({ format: 'date-time' })
  validUntil!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  supersedes!: string | null;

  @ApiProperty({ type: TearlineDto, nullable: true })
  tearline!: TearlineDto | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  publishedAt!: string | null;

  @ApiProperty({ type: 'integer', description: 'How many reports the assessment cites (their ids stay inside the cell)' })
  citedReports!: number;
}

/** Inbox content of variant TEARLINE: the sanitised summary only. */
export class InboxTearlineContentDto {
  @ApiProperty({ format: 'uuid' })
  assessmentId!: string;

  @ApiProperty({ type: TearlineDto })
  tearline!: TearlineDto;
}

/** An item in the caller's agency's inbox, as this reader may see it: inboxView() in dissemination.service.ts. */
@ApiExtraModels(InboxAssessmentContentDto, InboxTearlineContentDto, ThreatLevelDto)
export class InboxItemDto {
  @ApiProperty({ format: 'uuid', description: 'The dissemination’s id' })
  id!: string;

  @ApiProperty({ enum: DISSEMINATION_KINDS })
  kind!: DisseminationKind;

  @ApiPropertyOptional({ format: 'uuid', description: 'Present for kind ASSESSMENT' })
  assessmentId?: string;

  @ApiProperty({ enum: VARIANTS, description: 'What this reader sees: less than the agency received when the reader’s own clearance is lower' })
  variant!: Variant;

  @ApiProperty({
    nullable: true,
    anyOf: [
      { $ref: getSchemaPath(InboxAssessmentContentDto) },
      { $ref: getSchemaPath(InboxTearlineContentDto) },
      { $ref: getSchemaPath(ThreatLevelDto) },
    ],
    description:
      'Per kind and variant: ASSESSMENT FULL → InboxAssessmentContentDto, ASSESSMENT TEARLINE → InboxTearlineContentDto, THREAT_LEVEL → ThreatLevelDto ({level, since}); null when WITHHELD',
  })
  content!: InboxAssessmentContentDto | InboxTearlineContentDto | ThreatLevelDto | null;

  @ApiProperty({ format: 'date-time' })
  deliveredAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  acknowledgedAt!: string | null;
}
