import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Authorize } from '../common/decorators';
import { ErrorBodyDto } from '../common/error-body';
import { type AuthedContext, Ctx } from '../common/request-context';
import { CreateUserDto } from './dto/create-user.dto';
import { UserDto } from './dto/user-response.dto';
import { UsersService, userView } from './users.service';

@ApiTags('users')
@Controller('api/v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @HttpCode(201)
  @Authorize('manage', 'User')
  @ApiOperation({ summary: 'Create a user (ADMIN)' })
  @ApiCreatedResponse({ description: 'The user, without the password hash', type: UserDto })
  @ApiConflictResponse({ description: 'Duplicate username', type: ErrorBodyDto })
  @ApiUnprocessableEntityResponse({ description: 'Clearance above the agency’s accreditation, or roles that may not be combined', type: ErrorBodyDto })
  async create(@Ctx() ctx: AuthedContext, @Body() dto: CreateUserDto) {
    return userView(await this.users.create(ctx, dto));
  }
}
