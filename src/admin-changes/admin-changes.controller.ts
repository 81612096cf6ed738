import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Authorize } from '../access/authorize.decorator';
import { ErrorBodyDto } from '../common/error-body';
import { ApiPageResponse, UuidParam } from '../common/pagination';
import { type AuthedContext, Ctx } from '../access/request-context';
import { AdminChangesService } from './admin-changes.service';
import { AdminChangeDto, AppliedChangeDto } from './dto/admin-change-response.dto';
import { ListAdminChangesQuery } from './dto/list-admin-changes.query';

@ApiTags('admin changes')
@Controller('api/v1/admin/changes')
export class AdminChangesController {
  constructor(private readonly changes: AdminChangesService) {}

  @Get()
  @Authorize('manage', 'AdminChange')
  @ApiOperation({ summary: 'Sensitive administrative changes, newest first, by status (ADMIN)' })
  @ApiPageResponse(AdminChangeDto)
  list(@Query() q: ListAdminChangesQuery) {
    return this.changes.list(q);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Authorize('manage', 'AdminChange')
  @ApiOperation({ summary: 'Approve and apply a change another ADMIN asked for (ADMIN); checked again against the state now' })
  @ApiOkResponse({ description: 'The change, APPLIED, with `result`: what the original request would have answered', type: AppliedChangeDto })
  @ApiNotFoundResponse({ description: 'No such change, or its user or agency is gone', type: ErrorBodyDto })
  @ApiConflictResponse({ description: 'Already decided or expired (CHANGE_DECIDED, CHANGE_EXPIRED), its requester no longer an active ADMIN (REQUESTER_GONE), its user changed since it was asked (TARGET_CHANGED), or no longer applicable (e.g. the username is taken)', type: ErrorBodyDto })
  @ApiUnprocessableEntityResponse({ description: 'The caller asked for the change (SAME_ADMIN), or it breaks a rule now', type: ErrorBodyDto })
  approve(@Ctx() ctx: AuthedContext, @Param('id', UuidParam) id: string) {
    return this.changes.approve(ctx, id);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Authorize('manage', 'AdminChange')
  @ApiOperation({ summary: 'Reject a change (ADMIN); the one who asked for it may withdraw it this way' })
  @ApiOkResponse({ description: 'The change, REJECTED', type: AdminChangeDto })
  @ApiNotFoundResponse({ description: 'No such change', type: ErrorBodyDto })
  @ApiConflictResponse({ description: 'Already decided or expired', type: ErrorBodyDto })
  reject(@Ctx() ctx: AuthedContext, @Param('id', UuidParam) id: string) {
    return this.changes.reject(ctx, id);
  }
}
