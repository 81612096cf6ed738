import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authorize } from '../access/authorize.decorator';
import { ApiPageResponse, UuidParam } from '../common/pagination';
import { ErrorBodyDto } from '../common/error-body';
import { CommonErrorCode, CommonException } from '../common/common.errors';
import { type AuthedContext, Ctx } from '../access/request-context';
import { CreateReportDto } from './dto/create-report.dto';
import { ListReportsQuery } from './dto/list-reports.query';
import { ReportDto } from './dto/report-response.dto';
import { ReportsService } from './reports.service';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
@ApiTags('reports')
@Controller('api/v1/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Post()
  @HttpCode(201)
  @Authorize('create', 'Report')
  @ApiOperation({ summary: 'Submit a report for the caller’s agency' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A replay returns the original response, never a second report' })
  @ApiCreatedResponse({ description: 'The report (a replayed Idempotency-Key: the original response, with `Idempotent-Replayed: true`)', type: ReportDto })
  @ApiBadRequestResponse({ description: 'Invalid body; the message names every offending field', type: ErrorBodyDto })
  @ApiForbiddenResponse({ description: 'Marking above the caller’s clearance or compartments', type: ErrorBodyDto })
  @ApiPayloadTooLargeResponse({ description: 'Body over 1 MiB', type: ErrorBodyDto })
  async create(
    @Ctx() ctx: AuthedContext,
    @Body() dto: CreateReportDto,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
      throw new CommonException(CommonErrorCode.VALIDATION, 'Idempotency-Key must be 1–255 visible ASCII characters', { fields: ['Idempotency-Key'] });
    }
    const out = await this.reports.create(ctx, dto, key);
    void reply.status(out.status);
    if (out.replayed) void reply.header('idempotent-replayed', 'true');
    return out.body;
  }

  @Get()
  @Authorize('browse', 'Report')
  @ApiOperation({ summary: 'Reports the caller may read, newest first' })
  @ApiPageResponse(ReportDto, 'One page of the reports the caller may read, newest first')
  list(@Ctx() ctx: AuthedContext, @Query() q: ListReportsQuery) {
    return this.reports.list(ctx, q);
  }

  @Get(':id')
  @Authorize('browse', 'Report')
  @ApiOperation({ summary: 'One report (404 when it does not exist or the caller may not read it)' })
  @ApiOkResponse({ description: 'The report; sourceDescription only for the originating agency', type: ReportDto })
  @ApiNotFoundResponse({ description: 'Not found or not readable', type: ErrorBodyDto })
  findOne(@Ctx() ctx: AuthedContext, @Param('id', UuidParam) id: string) {
    return this.reports.findOne(ctx, id);
  }

  @Post(':id/validate')
  @HttpCode(200)
  @Authorize('validate', 'Report')
  @ApiOperation({ summary: 'Validate a report (originating agency): extends reviewDueAt' })
  @ApiOkResponse({ description: 'The report, with its new reviewDueAt and validatedAt', type: ReportDto })
  validate(@Ctx() ctx: AuthedContext, @Param('id', UuidParam) id: string) {
    return this.reports.validate(ctx, id);
  }
}
