import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CLASSIFICATIONS, type Classification } from '../../access/markings';
import { ROLES, type Role } from '../../access/roles';

/** The contract's `user` object (login and GET /auth/me): publicUser() in principal.service.ts. */
export class PublicUserDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'j.smith' })
  username!: string;

  @ApiProperty({ format: 'uuid' })
  agencyId!: string;

  @ApiProperty({ enum: ROLES, isArray: true })
  roles!: Role[];

  @ApiProperty({ enum: CLASSIFICATIONS })
  clearance!: Classification;

  @ApiProperty({ type: [String], example: ['HUMINT'] })
  compartments!: string[];
}

/** POST /auth/login: AuthService.login. */
export class LoginResponseDto {
  @ApiProperty({ description: 'A JWT; send it as `Authorization: Bearer …`. Lives JWT_TTL_SECONDS.' })
  accessToken!: string;

  @ApiPropertyOptional({ type: PublicUserDto, description: 'Absent when passwordChangeRequired' })
  user?: PublicUserDto;

  @ApiPropertyOptional({
    enum: [true],
    description: 'The password was reset by an ADMIN and is temporary: the token is good only for POST /api/v1/auth/password',
  })
  passwordChangeRequired?: true;
}
