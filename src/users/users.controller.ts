import { Body, Controller, HttpCode, Param, Patch, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiAcceptedResponse, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Authorize } from '../access/authorize.decorator';
import { ErrorBodyDto } from '../common/error-body';
import { type AuthedContext, Ctx } from '../access/request-context';
import { CreateUserDto, UpdateUserDto } from './dto/create-user.dto';
import { UuidParam } from '../common/pagination';
import { UserDto } from './dto/user-response.dto';
import { UsersService, userView } from './users.service';
import { pendingOr } from '../four-eyes/four-eyes';
import { PendingChangeDto } from '../four-eyes/dto/pending-change.dto';

@ApiTags('users')
@Controller('api/v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @HttpCode(201)
  @Authorize('manage', 'User')
  @ApiOperation({ summary: 'Create a user (ADMIN); waits for a second ADMIN’s approval when one exists (four eyes)' })
  @ApiCreatedResponse({ description: 'The user, without the password hash (a lone ADMIN: applied at once)', type: UserDto })
  @ApiAcceptedResponse({ description: 'Waiting for a second ADMIN: POST /api/v1/admin/changes/{changeId}/approve', type: PendingChangeDto })
  @ApiConflictResponse({ description: 'Duplicate username', type: ErrorBodyDto })
  @ApiUnprocessableEntityResponse({ description: 'Clearance above the agency’s accreditation, or roles that may not be combined', type: ErrorBodyDto })
  async create(@Ctx() ctx: AuthedContext, @Body() dto: CreateUserDto, @Res({ passthrough: true }) reply: FastifyReply) {
    return pendingOr(reply, await this.users.create(ctx, dto), userView);
  }

  @Patch(':id')
  @Authorize('manage', 'User')
  @ApiOperation({ summary: 'Change a user’s roles, clearance, compartments or password, or deactivate them (ADMIN); takes effect on their next request' })
  @ApiOkResponse({ description: 'The user as changed, without the password hash', type: UserDto })
  @ApiAcceptedResponse({
    description: 'A sensitive change (a role, clearance or compartment more, another user’s password, reactivation, removing another ADMIN) waiting for a second ADMIN',
    type: PendingChangeDto,
  })
  @ApiNotFoundResponse({ description: 'No such user', type: ErrorBodyDto })
  @ApiConflictResponse({ description: 'The user was changed by someone else while this request was written, making it sensitive (USER_CHANGED): send it again', type: ErrorBodyDto })
  @ApiUnprocessableEntityResponse({
    description: 'Clearance above the agency’s accreditation, roles that may not be combined, or an ADMIN deactivating themselves or dropping their own ADMIN role',
    type: ErrorBodyDto,
  })
  async update(@Ctx() ctx: AuthedContext, @Param('id', UuidParam) id: string, @Body() dto: UpdateUserDto, @Res({ passthrough: true }) reply: FastifyReply) {
    return pendingOr(reply, await this.users.update(ctx, id, dto), userView);
  }
}
