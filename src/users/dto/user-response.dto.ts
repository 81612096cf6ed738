import { ApiProperty } from '@nestjs/swagger';
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

/** A user as POST /users returns it, without the password hash: userView() in users.service.ts (the contract's `user` object, and more). */
export class UserDto extends PublicUserDto {
  @ApiProperty()
  active!: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}
