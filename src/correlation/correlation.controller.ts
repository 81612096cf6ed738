import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authorize } from '../access/authorize.decorator';
import { ErrorBodyDto } from '../common/error-body';
import { PageQuery, UuidParam } from '../common/pagination';
import { type AuthedContext, Ctx } from '../access/request-context';
import { CorrelationService } from './correlation.service';
import { CorrelationsDto, EntitySearchResultDto } from './dto/correlation-response.dto';
import { EntitySearchQuery } from './dto/entity-search.query';

@ApiTags('fusion')
@Controller('api/v1')
export class CorrelationController {
  constructor(private readonly correlation: CorrelationService) {}

  @Get('reports/:id/correlations')
  @Authorize('browse', 'Report')
  @ApiOperation({
    summary: 'Reports sharing a normalised entity with this one',
    description:
      'Readable correlations, paged (`limit`, `cursor`) in report-id order, each with at most 20 of its shared entities and their count; ' +
      'for the rest, one {agencyCode, count} pointer per agency (hit/no-hit), on the first page only.',
  })
  @ApiOkResponse({ type: CorrelationsDto })
  @ApiNotFoundResponse({ description: 'Not found or not readable', type: ErrorBodyDto })
  correlations(@Ctx() ctx: AuthedContext, @Param('id', UuidParam) id: string, @Query() q: PageQuery) {
    return this.correlation.correlations(ctx, id, q);
  }

  @Get('entities/search')
  @Authorize('browse', 'Report')
  @ApiOperation({
    summary: 'Hit/no-hit search for an entity value: readable report ids, pointers for the rest',
    description: 'Paged (`limit`, `cursor`) in report-id order; the pointers are given on the first page only.',
  })
  @ApiOkResponse({ type: EntitySearchResultDto })
  search(@Ctx() ctx: AuthedContext, @Query() q: EntitySearchQuery) {
    return this.correlation.searchEntity(ctx, q);
  }
}
