import { ApiProperty } from '@nestjs/swagger';
import { PublicUserDto } from '../../auth/dto/auth-response.dto';

/** A user as POST /users returns it, without the password hash: userView() in users.service.ts (the contract's `user` object, and more). */
export class UserDto extends PublicUserDto {
  @ApiProperty()
  active!: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}
