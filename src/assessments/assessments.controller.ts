import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Authorize } from '../access/authorize.decorator';
import { ErrorBodyDto } from '../common/error-body';
import { ApiPageResponse, itemSchema, UuidParam } from '../common/pagination';
import { type AuthedContext, Ctx } from '../access/request-context';
import { AssessmentsService } from './assessments.service';
import { CreateAssessmentDto, UpdateAssessmentDto } from './dto/assessment.dto';
import { ASSESSMENT_VIEW, AssessmentDto, AssessmentTearlineDto } from './dto/assessment-response.dto';
import { ListAssessmentsQuery } from './dto/list-assessments.query';

@ApiTags('assessments')
@Controller('api/v1/assessments')
export class AssessmentsController {
  constructor(private readonly assessments: AssessmentsService) {}

  @Post()
  @HttpCode(201)
  @Authorize('create', 'Assessment')
  @ApiOperation({ summary: 'Draft an assessment (ANALYST, SUPERVISOR)' })
  @ApiCreatedResponse({ description: 'The draft, status DRAFT', type: AssessmentDto })
  @ApiUnprocessableEntityResponse({ description: 'Derivative marking violated, or a cited report you cannot read', type: ErrorBodyDto })
  create(@Ctx() ctx: AuthedContext, @Body() dto: CreateAssessmentDto) {
    return this.assessments.create(ctx, dto);
  }

  @Patch(':id')
  @Authorize('create', 'Assessment')
  @ApiOperation({ summary: 'Edit a draft (its author, while DRAFT)' })
  @ApiOkResponse({ description: 'The edited draft', type: AssessmentDto })
  @ApiConflictResponse({ description: 'Not a draft any more', type: ErrorBodyDto })
  update(@Ctx() ctx: AuthedContext, @Param('id', UuidParam) id: string, @Body() dto: UpdateAssessmentDto) {
    return this.assessments.update(ctx, id, dto);
  }

  @Post(':id/submit')
  @HttpCode(200)
  @Authorize('create', 'Assessment')
  @ApiOperation({ summary: 'Send a draft for review (its author): IN_REVIEW' })
  @ApiOkResponse({ description: 'The assessment, status IN_REVIEW', type: AssessmentDto })
  @ApiConflictResponse({ description: 'Not a draft', type: ErrorBodyDto })
  submit(@Ctx() ctx: AuthedContext, @Param('id', UuidParam) id: string) {
    return this.assessments.submit(ctx, id);
  }

  @Post(':id/publish')
  @HttpCode(200)
  @Authorize('publish', 'Assessment')
  @ApiOperation({ summary: 'Publish (a SUPERVISOR who is not the author): PUBLISHED, disseminations created' })
  @ApiOkResponse({ description: 'The assessment, status PUBLISHED', type: AssessmentDto })
  @ApiConflictResponse({ description: 'Not IN_REVIEW', type: ErrorBodyDto })
  @ApiUnprocessableEntityResponse({ description: 'The author may not publish their own assessment', type: ErrorBodyDto })
  publish(@Ctx() ctx: AuthedContext, @Param('id', UuidParam) id: string) {
    return this.assessments.publish(ctx, id);
  }

  @Get()
  @Authorize('browse', 'Assessment')
  @ApiOperation({ summary: 'Assessments the caller may read: full, or tearline only ({id, variant, tearline})' })
  @ApiPageResponse(ASSESSMENT_VIEW, 'One page, newest first; each item in full or as its tearline (`variant`)')
  list(@Ctx() ctx: AuthedContext, @Query() q: ListAssessmentsQuery) {
    return this.assessments.list(ctx, q);
  }

  @Get(':id')
  @Authorize('browse', 'Assessment')
  @ApiOperation({ summary: 'One assessment: full text, tearline only, or 404' })
  @ApiExtraModels(AssessmentDto, AssessmentTearlineDto)
  @ApiOkResponse({ description: 'In full, or as its tearline (`variant`)', schema: itemSchema(ASSESSMENT_VIEW).schema })
  @ApiNotFoundResponse({ description: 'Not found or not readable', type: ErrorBodyDto })
  findOne(@Ctx() ctx: AuthedContext, @Param('id', UuidParam) id: string) {
    return this.assessments.findOne(ctx, id);
  }
}
