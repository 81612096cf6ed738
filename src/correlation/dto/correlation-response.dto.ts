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

  @ApiProperty({ type: [EntityKeyDto], maxItems: 20, description: 'The shared entities, by type then value: at most 20 (SHARED_ENTITIES_LISTED)' })
  sharedEntities!: EntityKeyDto[];

  @ApiProperty({ type: 'integer', minimum: 1, description: 'How many distinct entities the two reports share (may exceed the ones listed)' })
  sharedEntityCount!: number;
}

/** A value held by more reports than CORRELATION_LIMIT: not correlated. */
export class OverCommonDto extends EntityKeyDto {
  @ApiProperty({ type: 'integer', description: 'Reports holding it, counted only up to the limit + 1' })
  count!: number;
}

const NEXT_CURSOR = { type: 'string', nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' } as const;
const HIDDEN_ON_FIRST_PAGE =
  'Matches the caller may not read, one pointer per agency, over the whole result (never only this page): given on the first page (no cursor), [] on later pages';

/** GET /reports/:id/correlations: CorrelationService.correlations. One page, in report-id order. */
export class CorrelationsDto {
  @ApiProperty({ type: [CorrelationDto], description: 'Readable correlated reports, in report-id order' })
  items!: CorrelationDto[];

  @ApiProperty(NEXT_CURSOR)
  nextCursor!: string | null;

  @ApiProperty({ type: [HiddenMatchDto], description: HIDDEN_ON_FIRST_PAGE })
  hiddenMatches!: HiddenMatchDto[];

  @ApiProperty({ type: [OverCommonDto], description: 'The report’s values too common to correlate' })
  overCommon!: OverCommonDto[];
}

/** GET /entities/search: CorrelationService.searchEntity. */
export class EntitySearchResultDto {
  @ApiProperty({ type: [String], format: 'uuid', description: 'Readable reports holding the value, in report-id order' })
  items!: string[];

  @ApiProperty(NEXT_CURSOR)
  nextCursor!: string | null;

  @ApiProperty({ type: [HiddenMatchDto], description: HIDDEN_ON_FIRST_PAGE })
  hiddenMatches!: HiddenMatchDto[];

  @ApiProperty({ description: 'True when the value is over-common: only the first CORRELATION_LIMIT matches were considered' })
  truncated!: boolean;
}
