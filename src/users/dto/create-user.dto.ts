import { ApiProperty, ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
} from 'class-validator';
import { CLASSIFICATIONS, type Classification } from '../../access/markings';
import { IsCompartments } from '../../access/is-compartments.decorator';
import { ROLES, type Role } from '../../access/roles';
import { UuidSpelling } from '../../common/pagination';

export class CreateUserDto {
  @ApiProperty({ example: 'j.smith', description: 'Lower-case; 3–64 of a-z 0-9 . _ -' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9._-]{2,63}$/, { message: 'username must be 3–64 lower-case letters, digits, ., _ or -' })
  username!: string;

  @ApiProperty({ minLength: 12, maxLength: 256, format: 'password' })
  @IsString()
  @Length(12, 256, { message: 'password must be 12 to 256 characters' })
  password!: string;

  @ApiProperty({ format: 'uuid' })
  @UuidSpelling()
  @IsUUID()
  agencyId!: string;

  @ApiProperty({ enum: ROLES, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ROLES.length)
  @ArrayUnique()
  @IsIn(ROLES, { each: true })
  roles!: Role[];

  @ApiProperty({ enum: CLASSIFICATIONS })
  @IsIn(CLASSIFICATIONS)
  clearance!: Classification;

  @ApiProperty({ type: [String], example: ['HUMINT'] })
  @IsCompartments()
  compartments!: string[];
}

/** What an ADMIN may change of a user: any of these, at least one. The username and agency stay. */
export class UpdateUserDto extends PartialType(PickType(CreateUserDto, ['password', 'roles', 'clearance', 'compartments'] as const)) {
  @ApiPropertyOptional({ description: 'false deactivates the account: its tokens stop working on their next request' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}
