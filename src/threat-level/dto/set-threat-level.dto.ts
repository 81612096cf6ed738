import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsString, IsUUID, Length, Matches } from 'class-validator';
import { THREAT_LEVELS, type ThreatLevel } from '../../access/markings';
import { UuidSpelling } from '../../common/pagination';

export class SetThreatLevelDto {
  @ApiProperty({ enum: THREAT_LEVELS })
  @IsIn(THREAT_LEVELS)
  level!: ThreatLevel;

  @ApiProperty({ minLength: 1, maxLength: 5000 })
  @IsString()
  @Length(1, 5000)
  @Matches(/\S/, { message: 'justification must not be blank' })
  justification!: string;

  @ApiProperty({ type: [String], format: 'uuid', description: 'At least one published assessment' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @UuidSpelling()
  @ArrayUnique()
  @IsUUID('all', { each: true })
  assessmentIds!: string[];
}
