import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Authorize } from '../access/authorize.decorator';
import { Public } from '../common/decorators';
import { ErrorBodyDto } from '../common/error-body';
import { type AuthedContext, Ctx } from '../access/request-context';
import { SetThreatLevelDto } from './dto/set-threat-level.dto';
import { ThreatLevelChangeDto, ThreatLevelDto, ThreatRecommendationDto } from './dto/threat-level-response.dto';
import { ThreatLevelService } from './threat-level.service';

@ApiTags('threat level')
@Controller('api/v1/threat-level')
export class ThreatLevelController {
  constructor(private readonly threat: ThreatLevelService) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'The national threat level in force and since when (public)' })
  @ApiOkResponse({ type: ThreatLevelDto })
  current() {
    return this.threat.current();
  }

  @Get('history')
  @Authorize('read', 'ThreatLevel')
  @ApiOperation({ summary: 'Every setting of the level, newest first' })
  @ApiOkResponse({ type: ThreatLevelChangeDto, isArray: true })
  history(@Ctx() ctx: AuthedContext) {
    return this.threat.history(ctx);
  }

  @Get('recommendation')
  @Authorize('read', 'ThreatRecommendation')
  @ApiOperation({ summary: 'The level the published national assessments recommend (ANALYST, SUPERVISOR)' })
  @ApiOkResponse({ type: ThreatRecommendationDto })
  recommendation(@Ctx() ctx: AuthedContext) {
    return this.threat.recommendation(ctx);
  }

  @Post()
  @HttpCode(201)
  @Authorize('set', 'ThreatLevel')
  @ApiOperation({ summary: 'Set the national threat level (SUPERVISOR), citing published assessments' })
  @ApiCreatedResponse({ description: 'The new entry of the history', type: ThreatLevelChangeDto })
  @ApiUnprocessableEntityResponse({ description: 'A cited assessment is not published or not readable', type: ErrorBodyDto })
  set(@Ctx() ctx: AuthedContext, @Body() dto: SetThreatLevelDto) {
    return this.threat.set(ctx, dto);
  }
}
