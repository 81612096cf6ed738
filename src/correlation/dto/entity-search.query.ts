import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Length } from 'class-validator';
import { ENTITY_TYPES, type EntityType } from '../../reports/normalise';

export class EntitySearchQuery {
  @ApiProperty({ enum: ENTITY_TYPES })
  @IsIn(ENTITY_TYPES)
  type!: EntityType;

  @ApiProperty({ example: '+44 7700 900123', description: 'Normalised like submitted entities before matching' })
  @IsString()
  @Length(1, 500)
  value!: string;
}
