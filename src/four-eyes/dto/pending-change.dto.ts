import { ApiProperty } from '@nestjs/swagger';

/** 202 of a sensitive change waiting for a second ADMIN. */
export class PendingChangeDto {
  @ApiProperty({ format: 'uuid' })
  changeId!: string;

  @ApiProperty({ enum: ['PENDING_APPROVAL'] })
  status!: 'PENDING_APPROVAL';
}
