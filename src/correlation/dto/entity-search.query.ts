import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Length } from 'class-validator';
import { PageQuery } from '../../common/pagination';
import { ENTITY_TYPES, type EntityType } from '../../reports/normalise';

/** `limit` and `cursor` as every list has them (the cursor is the last report id of the previous page). */
export class EntitySearchQuery extends PageQuery {
  @ApiProperty({ enum: ENTITY_TYPES })
  @IsIn(ENTITY_TYPES)
  type!: EntityType;

  @ApiProperty({ example: '+44 7700 900123', description: 'Normalised like submitted entities before matching' })
  @IsString()
  @Length(1, 500)
  value!: string;
}
