import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQuery } from '../../common/pagination';
import { ADMIN_CHANGE_STATUSES, type AdminChangeStatus } from '../../four-eyes/admin-change.entity';

export class ListAdminChangesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ADMIN_CHANGE_STATUSES })
  @IsOptional()
  @IsIn(ADMIN_CHANGE_STATUSES)
  status?: AdminChangeStatus;
}
