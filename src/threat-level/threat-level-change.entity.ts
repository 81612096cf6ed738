import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { ThreatLevel } from '../access/markings';

/** One setting of the national threat level. Append-only (a trigger refuses UPDATE and DELETE). */
@Entity('threat_level_change')
@Index('threat_level_since_idx', ['since'])
export class ThreatLevelChange {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  level!: ThreatLevel;

  @Column({ type: 'timestamptz' })
  since!: Date;

  /** Null for the initial LOW level written at bootstrap. */
  @Column({ name: 'set_by', type: 'uuid', nullable: true })
  setBy!: string | null;

  @Column({ type: 'text' })
  justification!: string;

  @Column({ name: 'assessment_ids', type: 'uuid', array: true })
  assessmentIds!: string[];
}
