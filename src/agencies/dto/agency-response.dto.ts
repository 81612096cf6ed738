import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CLASSIFICATIONS, type Classification } from '../../access/markings';
import { AGENCY_KINDS, type AgencyKind } from '../agency.entity';

/** An agency as the API returns it: agencyView() in agencies.service.ts. */
export class AgencyDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'CUSTOMS' })
  code!: string;

  @ApiProperty({ example: 'National Customs Service' })
  name!: string;

  @ApiProperty({ enum: AGENCY_KINDS })
  kind!: AgencyKind;

  @ApiProperty({ enum: CLASSIFICATIONS, description: 'Highest classification the agency’s systems may receive' })
  accreditation!: Classification;

  @ApiProperty()
  active!: boolean;
}

/** PUT /agencies/:id/webhook: AgenciesService.setWebhook. */
export class WebhookSettingDto {
  @ApiProperty({ format: 'uuid' })
  agencyId!: string;

  @ApiProperty({ example: 'https://hooks.customs.example/fusion' })
  url!: string;

  @ApiPropertyOptional({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'Only when the request gave none: the generated Standard Webhooks secret, returned this once',
  })
  secret?: string;
}
