import { ApiProperty } from '@nestjs/swagger';
import { THREAT_LEVELS, type ThreatLevel } from '../../access/markings';

/** GET /threat-level (public), and the content of a THREAT_LEVEL inbox item. */
export class ThreatLevelDto {
  @ApiProperty({ enum: THREAT_LEVELS })
  level!: ThreatLevel;

  @ApiProperty({ format: 'date-time' })
  since!: string;
}

/** One setting of the level: changeView() in threat-level.service.ts. */
export class ThreatLevelChangeDto {
  @ApiProperty({ enum: THREAT_LEVELS })
  level!: ThreatLevel;

  @ApiProperty({ format: 'date-time' })
  since!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The supervisor; null for the initial level written at bootstrap' })
  setBy!: string | null;

  @ApiProperty()
  justification!: string;

  @ApiProperty({ type: [String], format: 'uuid', description: 'The published assessments cited' })
  assessmentIds!: string[];
}

export class ContributingAssessmentDto {
  @ApiProperty({ format: 'uuid' })
  assessmentId!: string;

  @ApiProperty({ enum: THREAT_LEVELS })
  recommendedLevel!: ThreatLevel;
}

/** GET /threat-level/recommendation: ThreatLevelService.recommendation. */
export class ThreatRecommendationDto {
  @ApiProperty({ enum: THREAT_LEVELS, description: 'The highest level recommended by a published, unexpired, unsuperseded national assessment; LOW when none' })
  level!: ThreatLevel;

  @ApiProperty({ type: [ContributingAssessmentDto], description: 'Every such assessment the caller may read, highest first' })
  contributing!: ContributingAssessmentDto[];
}
