import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Authorize, Public } from '../common/decorators';
import { type AuthedContext, Ctx, type RequestContext } from '../common/request-context';
import { AuthService } from './auth.service';
import { LoginDto } from './dto/login.dto';
import { publicUser } from './principal.service';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in; returns a bearer token' })
  @ApiOkResponse({ description: '{accessToken, user}' })
  @ApiUnauthorizedResponse({ description: 'Wrong username or password' })
  @ApiTooManyRequestsResponse({ description: 'Too many failed logins for this username and address, or this address' })
  login(@Ctx() ctx: RequestContext, @Body() dto: LoginDto) {
    return this.auth.login(ctx, dto.username, dto.password);
  }

  @Get('me')
  @Authorize('read', 'Profile')
  @ApiOperation({ summary: 'The signed-in user' })
  me(@Ctx() ctx: AuthedContext) {
    return publicUser(ctx.principal);
  }
}
