import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authorize } from '../common/decorators';
import { UuidParam } from '../common/pagination';
import { PageQuery } from '../common/pagination';
import { type AuthedContext, Ctx } from '../common/request-context';
import { DisseminationService } from './dissemination.service';

@ApiTags('dissemination')
@Controller('api/v1')
export class DisseminationController {
  constructor(private readonly disseminations: DisseminationService) {}

  @Get('assessments/:id/disseminations')
  @Authorize('read', 'Dissemination')
  @ApiOperation({ summary: 'Who received an assessment, in which variant, and the delivery status (ANALYST, SUPERVISOR, AUDITOR)' })
  @ApiNotFoundResponse({ description: 'No such assessment, or not readable' })
  forAssessment(@Ctx() ctx: AuthedContext, @Param('id', UuidParam) id: string) {
    return this.disseminations.forAssessment(ctx, id);
  }

  @Post('disseminations/:id/redrive')
  @HttpCode(200)
  @Authorize('redrive', 'Dissemination')
  @ApiOperation({ summary: 'Re-queue a FAILED dissemination (ADMIN, SUPERVISOR)' })
  @ApiConflictResponse({ description: 'Not FAILED' })
  redrive(@Ctx() ctx: AuthedContext, @Param('id', UuidParam) id: string) {
    return this.disseminations.redrive(ctx, id);
  }

  @Get('inbox')
  @Authorize('browse', 'Inbox')
  @ApiOperation({ summary: 'The caller’s agency’s deliveries, newest first, content per variant only' })
  inbox(@Ctx() ctx: AuthedContext, @Query() q: PageQuery) {
    return this.disseminations.inbox(ctx, q);
  }

  @Post('inbox/:id/acknowledge')
  @HttpCode(200)
  @Authorize('acknowledge', 'Inbox')
  @ApiOperation({ summary: 'Acknowledge receipt (an OFFICER of the recipient agency)' })
  @ApiNotFoundResponse({ description: 'Not in the caller’s agency’s inbox' })
  acknowledge(@Ctx() ctx: AuthedContext, @Param('id', UuidParam) id: string) {
    return this.disseminations.acknowledge(ctx, id);
  }
}
