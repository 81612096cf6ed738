import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Authorize } from '../access/authorize.decorator';
import { Public } from '../common/decorators';
import { ErrorBodyDto } from '../common/error-body';
import { type AuthedContext, Ctx, type RequestContext } from '../access/request-context';
import { AuthService } from './auth.service';
import { PublicUserDto } from '../users/dto/user-response.dto';
import { LoginResponseDto } from './dto/auth-response.dto';
import { LoginDto } from './dto/login.dto';
import { ChangePasswordDto } from './dto/change-password.dto';
import { publicUser } from './principal.service';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in; returns a bearer token' })
  @ApiOkResponse({ description: '{accessToken, user}; or {passwordChangeRequired: true, accessToken} for a temporary password', type: LoginResponseDto })
  @ApiUnauthorizedResponse({ description: 'Wrong username or password', type: ErrorBodyDto })
  @ApiTooManyRequestsResponse({ description: 'Too many failed logins for this username and address, or this address', type: ErrorBodyDto })
  login(@Ctx() ctx: RequestContext, @Body() dto: LoginDto) {
    return this.auth.login(ctx, dto.username, dto.password);
  }

  @Post('password')
  @HttpCode(200)
  @Authorize('update', 'Password')
  @ApiOperation({
    summary: 'Change your own password (any user); the only call a temporary password’s token may make. Older tokens stop working.',
  })
  @ApiOkResponse({ description: 'A fresh {accessToken, user}', type: LoginResponseDto })
  @ApiUnprocessableEntityResponse({ description: 'currentPassword is wrong', type: ErrorBodyDto })
  @ApiTooManyRequestsResponse({ description: 'Too many wrong current passwords for this account and address', type: ErrorBodyDto })
  changePassword(@Ctx() ctx: AuthedContext, @Body() dto: ChangePasswordDto) {
    return this.auth.changePassword(ctx, dto.currentPassword, dto.newPassword);
  }

  @Get('me')
  @Authorize('read', 'Profile')
  @ApiOperation({ summary: 'The signed-in user' })
  @ApiOkResponse({ description: 'The same user object as login returns', type: PublicUserDto })
  me(@Ctx() ctx: AuthedContext) {
    return publicUser(ctx.principal);
  }
}
