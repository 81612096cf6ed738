import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authorize } from '../access/authorize.decorator';
import { ErrorBodyDto } from '../common/error-body';
import { ApiPageResponse, UuidParam } from '../common/pagination';
import { PageQuery } from '../common/pagination';
import { type AuthedContext, Ctx } from '../access/request-context';
import { DisseminationService } from './dissemination.service';
import { DisseminationDto, InboxItemDto } from './dto/dissemination-response.dto';

@ApiTags('dissemination')
@Controller('api/v1')
export class DisseminationController {
  constructor(private readonly disseminations: DisseminationService) {}

  @Get('assessments/:id/disseminations')
  @Authorize('read', 'Dissemination')
  @ApiOperation({ summary: 'Who received an assessment, in which variant, and the delivery status (ANALYST, SUPERVISOR, AUDITOR)' })
  @ApiOkResponse({ description: 'One per recipient agency, by agency code', type: DisseminationDto, isArray: true })
  @ApiNotFoundResponse({ description: 'No such assessment, or not readable', type: ErrorBodyDto })
  forAssessment(@Ctx() ctx: AuthedContext, @Param('id', UuidParam) id: string) {
    return this.disseminations.forAssessment(ctx, id);
  }

  @Post('disseminations/:id/redrive')
  @HttpCode(200)
  @Authorize('redrive', 'Dissemination')
  @ApiOperation({ summary: 'Re-queue a FAILED dissemination (ADMIN, SUPERVISOR)' })
  @ApiOkResponse({ description: 'The dissemination, status QUEUED', type: DisseminationDto })
  @ApiConflictResponse({ description: 'Not FAILED', type: ErrorBodyDto })
  redrive(@Ctx() ctx: AuthedContext, @Param('id', UuidParam) id: string) {
    return this.disseminations.redrive(ctx, id);
  }

  @Get('inbox')
  @Authorize('browse', 'Inbox')
  @ApiOperation({ summary: 'The caller’s agency’s deliveries, newest first, content per variant only' })
  @ApiPageResponse(InboxItemDto, 'One page of the inbox, newest first')
  inbox(@Ctx() ctx: AuthedContext, @Query() q: PageQuery) {
    return this.disseminations.inbox(ctx, q);
  }

  @Post('inbox/:id/acknowledge')
  @HttpCode(200)
  @Authorize('acknowledge', 'Inbox')
  @ApiOperation({ summary: 'Acknowledge receipt (an OFFICER of the recipient agency)' })
  @ApiOkResponse({ description: 'The inbox item, acknowledged', type: InboxItemDto })
  @ApiNotFoundResponse({ description: 'Not in the caller’s agency’s inbox', type: ErrorBodyDto })
  acknowledge(@Ctx() ctx: AuthedContext, @Param('id', UuidParam) id: string) {
    return this.disseminations.acknowledge(ctx, id);
  }
}
