import { Check, Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { Classification } from '../access/markings';

export const AGENCY_KINDS = [
  'FUSION_CELL',
  'POLICE',
  'SECURITY_SERVICE',
  'CUSTOMS',
  'BORDER',
  'MILITARY',
  'PUBLIC_HEALTH',
  'EMERGENCY_MANAGEMENT',
  'FOREIGN_PARTNER',
  'OTHER',
  /** An inspectorate, data-protection authority or parliamentary committee: its AUDITORs see every audit event. */
  'OVERSIGHT',
] as const;
export type AgencyKind = (typeof AGENCY_KINDS)[number];

@Entity('agency')
@Unique('UQ_agency_code', ['code'])
@Index('agency_one_fusion_cell', ['kind'], { unique: true, where: `"kind" = 'FUSION_CELL'` })
@Check('CHK_agency_kind', `"kind" IN ('FUSION_CELL','POLICE','SECURITY_SERVICE','CUSTOMS','BORDER','MILITARY','PUBLIC_HEALTH','EMERGENCY_MANAGEMENT','FOREIGN_PARTNER','OTHER','OVERSIGHT')`)
@Check('CHK_agency_accreditation', `"accreditation" IN ('UNCLASSIFIED','RESTRICTED','CONFIDENTIAL','SECRET','TOP_SECRET')`)
export class Agency {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  code!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  kind!: AgencyKind;

  /** The highest classification the agency's systems may receive. */
  @Column({ type: 'text' })
  accreditation!: Classification;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ name: 'webhook_url', type: 'text', nullable: true })
  webhookUrl!: string | null;

  @Column({ name: 'webhook_secret', type: 'text', nullable: true, select: false })
  webhookSecret!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
