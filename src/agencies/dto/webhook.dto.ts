import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

export class SetWebhookDto {
  @ApiProperty({ example: 'https://hooks.customs.example/fusion', description: 'http or https; private addresses only if WEBHOOK_ALLOWED_HOSTS allows' })
  @IsString()
  @MaxLength(2048)
  url!: string;

  @ApiPropertyOptional({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', description: '`whsec_` + base64 of 24–64 bytes; generated (and returned once) when omitted' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  secret?: string;
}
