import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath, PickType } from '@nestjs/swagger';
import { TearlineDto } from '../../assessments/dto/assessment.dto';
import { AssessmentDto } from '../../assessments/dto/assessment-response.dto';
import { ThreatLevelDto } from '../../threat-level/dto/threat-level-response.dto';
import { AdminNoticeContentDto } from '../../admin-changes/dto/admin-change-response.dto';
import {
  DISSEMINATION_KINDS,
  DISSEMINATION_STATUSES,
  type DisseminationKind,
  type DisseminationStatus,
  type Variant,
  VARIANTS,
} from '../../outbox/dissemination.entity';

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

/** Inbox content of variant FULL: the assessment as published, without the cell's workflow fields (assessmentContent() in assessments/assessment-recipients.ts). */
export class InboxAssessmentContentDto extends PickType(AssessmentDto, [
  'title',
  'keyJudgements',
  'body',
  'likelihood',
  'recommendedLevel',
  'scope',
  'region',
  'sectors',
  'classification',
  'compartments',
  'tlp',
  'validUntil',
  'supersedes',
  'tearline',
  'publishedAt',
] as const) {
  @ApiProperty({ format: 'uuid' })
  assessmentId!: string;

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
@ApiExtraModels(InboxAssessmentContentDto, InboxTearlineContentDto, ThreatLevelDto, AdminNoticeContentDto)
export class InboxItemDto {
  @ApiProperty({ format: 'uuid', description: 'The dissemination’s id' })
  id!: string;

  @ApiProperty({ enum: DISSEMINATION_KINDS })
  kind!: DisseminationKind;

  @ApiPropertyOptional({ format: 'uuid', description: 'Present for kind ASSESSMENT, unless the item is WITHHELD from this reader' })
  assessmentId?: string;

  @ApiProperty({ enum: VARIANTS, description: 'What this reader sees: less than the agency received when the reader’s own clearance is lower' })
  variant!: Variant;

  @ApiProperty({
    nullable: true,
    anyOf: [
      { $ref: getSchemaPath(InboxAssessmentContentDto) },
      { $ref: getSchemaPath(InboxTearlineContentDto) },
      { $ref: getSchemaPath(ThreatLevelDto) },
      { $ref: getSchemaPath(AdminNoticeContentDto) },
    ],
    description:
      'Per kind and variant: ASSESSMENT FULL → InboxAssessmentContentDto, ASSESSMENT TEARLINE → InboxTearlineContentDto, THREAT_LEVEL → ThreatLevelDto ({level, since}), ADMIN_NOTICE → AdminNoticeContentDto; null when WITHHELD',
  })
  content!: InboxAssessmentContentDto | InboxTearlineContentDto | ThreatLevelDto | AdminNoticeContentDto | null;

  @ApiProperty({ format: 'date-time' })
  deliveredAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  acknowledgedAt!: string | null;
}
