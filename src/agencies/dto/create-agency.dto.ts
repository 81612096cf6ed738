import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsString, Length, Matches } from 'class-validator';
import { CLASSIFICATIONS, type Classification } from '../../access/markings';
import { AGENCY_KINDS, type AgencyKind } from '../agency.entity';

export const AGENCY_CODE_PATTERN = /^[A-Z][A-Z0-9_-]{1,31}$/;

export class CreateAgencyDto {
  @ApiProperty({ example: 'CUSTOMS', description: 'Unique upper-case code, 2–32 characters' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value))
  @IsString()
  @Matches(AGENCY_CODE_PATTERN, { message: 'code must be 2–32 upper-case letters, digits, _ or -, starting with a letter' })
  code!: string;

  @ApiProperty({ example: 'National Customs Service' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ enum: AGENCY_KINDS })
  @IsIn(AGENCY_KINDS)
  kind!: AgencyKind;

  @ApiProperty({ enum: CLASSIFICATIONS, description: 'Highest classification the agency’s systems may receive' })
  @IsIn(CLASSIFICATIONS)
  accreditation!: Classification;
}
