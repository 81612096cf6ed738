import { ApiProperty } from '@nestjs/swagger';
import { ENTITY_TYPES, type EntityType } from '../../reports/normalise';

/** A normalised entity (type and normalised value). */
export class EntityKeyDto {
  @ApiProperty({ enum: ENTITY_TYPES })
  type!: EntityType;

  @ApiProperty({ example: '+447700900123', description: 'The normalised value' })
  value!: string;
}

/** Hit/no-hit: matches the caller may not read, as one pointer per holding agency. */
export class HiddenMatchDto {
  @ApiProperty({ example: 'CUSTOMS' })
  agencyCode!: string;

  @ApiProperty({ type: 'integer', minimum: 1 })
  count!: number;
}

/** A readable report that shares entities with the one asked about. */
export class CorrelationDto {
  @ApiProperty({ format: 'uuid' })
  reportId!: string;

  @ApiProperty({ type: [EntityKeyDto] })
  sharedEntities!: EntityKeyDto[];
}

/** A value held by more reports than CORRELATION_LIMIT: not correlated. */
export class OverCommonDto extends EntityKeyDto {
  @ApiProperty({ type: 'integer', description: 'Reports holding it, counted only up to the limit + 1' })
  count!: number;
}

/** GET /reports/:id/correlations: CorrelationService.correlations. */
export class CorrelationsDto {
  @ApiProperty({ type: [CorrelationDto] })
  items!: CorrelationDto[];

  @ApiProperty({ type: [HiddenMatchDto] })
  hiddenMatches!: HiddenMatchDto[];

  @ApiProperty({ type: [OverCommonDto], description: 'The report’s values too common to correlate' })
  overCommon!: OverCommonDto[];
}

/** GET /entities/search: CorrelationService.searchEntity. */
export class EntitySearchResultDto {
  @ApiProperty({ type: [String], format: 'uuid', description: 'Readable reports holding the value, newest first' })
  items!: string[];

  @ApiProperty({ type: [HiddenMatchDto] })
  hiddenMatches!: HiddenMatchDto[];

  @ApiProperty({ description: 'True when the value is over-common: only the first CORRELATION_LIMIT matches were considered' })
  truncated!: boolean;
}
