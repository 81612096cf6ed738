import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import type { EntityType } from './normalise';
import { Report } from './report.entity';

/** One entity value (phone, person, vehicle…) named in a report, normalised and indexed for correlation (table report_entity). */
@Entity('report_entity')
@Index('report_entity_lookup_idx', ['type', 'normalized', 'reportId'])
export class ReportEntityValue {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('report_entity_report_idx')
  @Column({ name: 'report_id', type: 'uuid' })
  reportId!: string;

  @ManyToOne(() => Report, (r) => r.entities, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'report_id', foreignKeyConstraintName: 'FK_report_entity_report' })
  report?: Relation<Report>;

  @Column({ type: 'text' })
  type!: EntityType;

  /** As submitted. */
  @Column({ type: 'text' })
  value!: string;

  @Column({ type: 'text' })
  normalized!: string;
}
