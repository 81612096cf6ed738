import { Body, Controller, Get, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { pendingOr } from '../four-eyes/four-eyes';
import { PendingChangeDto } from '../four-eyes/dto/pending-change.dto';
import { ApiAcceptedResponse, ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authorize } from '../access/authorize.decorator';
import { ErrorBodyDto } from '../common/error-body';
import { UuidParam } from '../common/pagination';
import { SetWebhookDto } from './dto/webhook.dto';
import { type AuthedContext, Ctx } from '../access/request-context';
import { AgenciesService, agencyView } from './agencies.service';
import { AgencyDto, WebhookSettingDto } from './dto/agency-response.dto';
import { CreateAgencyDto } from './dto/create-agency.dto';

@ApiTags('agencies')
@Controller('api/v1/agencies')
export class AgenciesController {
  constructor(private readonly agencies: AgenciesService) {}

  @Get()
  @Authorize('read', 'Agency')
  @ApiOperation({ summary: 'List agencies' })
  @ApiOkResponse({ description: 'Every agency, by code', type: AgencyDto, isArray: true })
  async list() {
    return (await this.agencies.list()).map(agencyView);
  }

  @Post()
  @HttpCode(201)
  @Authorize('manage', 'Agency')
  @ApiOperation({ summary: 'Create an agency (ADMIN)' })
  @ApiCreatedResponse({ description: 'The agency', type: AgencyDto })
  @ApiConflictResponse({ description: 'Duplicate code, or a second fusion cell', type: ErrorBodyDto })
  async create(@Ctx() ctx: AuthedContext, @Body() dto: CreateAgencyDto) {
    return agencyView(await this.agencies.create(ctx, dto));
  }

  @Put(':id/webhook')
  @Authorize('manage', 'Agency')
  @ApiOperation({ summary: 'Set the agency’s Standard Webhooks endpoint (ADMIN); waits for a second ADMIN when one exists; a generated secret is returned once' })
  @ApiOkResponse({ description: 'The endpoint set (a lone ADMIN: at once); `secret` only when it was generated', type: WebhookSettingDto })
  @ApiAcceptedResponse({ description: 'Waiting for a second ADMIN; a generated secret is returned to the approver', type: PendingChangeDto })
  async setWebhook(
    @Ctx() ctx: AuthedContext,
    @Param('id', UuidParam) id: string,
    @Body() dto: SetWebhookDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return pendingOr(reply, await this.agencies.setWebhook(ctx, id, dto.url, dto.secret), (done) => done);
  }
}
