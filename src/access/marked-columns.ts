import { Column } from 'typeorm';
import type { Classification, Tlp } from './markings';

/** The markings every piece of intelligence carries, as columns: reports and assessments extend it. */
export abstract class MarkedColumns {
  @Column({ type: 'text' })
  classification!: Classification;

  @Column({ type: 'text', array: true })
  compartments!: string[];

  @Column({ type: 'text' })
  tlp!: Tlp;
}
