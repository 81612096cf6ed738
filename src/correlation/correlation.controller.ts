import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authorize } from '../common/decorators';
import { ErrorBodyDto } from '../common/error-body';
import { UuidParam } from '../common/pagination';
import { type AuthedContext, Ctx } from '../common/request-context';
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
    description: 'Readable correlations in full; for the rest, one {agencyCode, count} pointer per agency (hit/no-hit).',
  })
  @ApiOkResponse({ type: CorrelationsDto })
  @ApiNotFoundResponse({ description: 'Not found or not readable', type: ErrorBodyDto })
  correlations(@Ctx() ctx: AuthedContext, @Param('id', UuidParam) id: string) {
    return this.correlation.correlations(ctx, id);
  }

  @Get('entities/search')
  @Authorize('browse', 'Report')
  @ApiOperation({ summary: 'Hit/no-hit search for an entity value: readable report ids, pointers for the rest' })
  @ApiOkResponse({ type: EntitySearchResultDto })
  search(@Ctx() ctx: AuthedContext, @Query() q: EntitySearchQuery) {
    return this.correlation.searchEntity(ctx, q.type, q.value);
  }
}
