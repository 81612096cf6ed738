import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PublicUserDto } from '../../users/dto/user-response.dto';

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
