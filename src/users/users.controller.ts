import { Body, Controller, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Authorize } from '../common/decorators';
import { ErrorBodyDto } from '../common/error-body';
import { type AuthedContext, Ctx } from '../common/request-context';
import { CreateUserDto, UpdateUserDto } from './dto/create-user.dto';
import { UuidParam } from '../common/pagination';
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

  @Patch(':id')
  @Authorize('manage', 'User')
  @ApiOperation({ summary: 'Change a user’s roles, clearance, compartments or password, or deactivate them (ADMIN); takes effect on their next request' })
  @ApiOkResponse({ description: 'The user as changed, without the password hash', type: UserDto })
  @ApiNotFoundResponse({ description: 'No such user', type: ErrorBodyDto })
  @ApiUnprocessableEntityResponse({
    description: 'Clearance above the agency’s accreditation, roles that may not be combined, or an ADMIN deactivating themselves or dropping their own ADMIN role',
    type: ErrorBodyDto,
  })
  async update(@Ctx() ctx: AuthedContext, @Param('id', UuidParam) id: string, @Body() dto: UpdateUserDto) {
    return userView(await this.users.update(ctx, id, dto));
  }
}
