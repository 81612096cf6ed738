import { ApiProperty } from '@nestjs/swagger';
import { CLASSIFICATIONS, type Classification } from '../../access/markings';
import { ROLES, type Role } from '../../access/roles';

/** A user as POST /users returns it, without the password hash: userView() in users.service.ts. */
export class UserDto {
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

  @ApiProperty()
  active!: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}
