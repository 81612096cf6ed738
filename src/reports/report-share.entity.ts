import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Report } from './report.entity';

/**
 * "Live report R is releasable to agency X", one row per code of `report.releasable_to` of a report not
 * purged, kept by a trigger (ReadPaths migration; live reports only since ShareLiveAgencyCover) on every
 * insert or change of a report: the ordered index PostgreSQL cannot build over an array column. Its
 * primary key (agency_code, created_at, report_id) lets the "shared with my agency" branch of a list read
 * an agency's shares newest first, a page at a time, however many reports there are. Derived data:
 * `releasable_to` stays the truth, and every listed row is checked against it (reportPageQuery).
 *
 * It also copies the report's markings (ShareMarkings migration; same property names as Report, so
 * the CASL translator can read them), kept in the primary key's leaf pages: the walk passes over the
 * shares the caller is not cleared for without reading their reports.
 */
@Entity('report_share')
export class ReportShare {
  @PrimaryColumn({ name: 'agency_code', type: 'text' })
  agencyCode!: string;

  @PrimaryColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @PrimaryColumn({ name: 'report_id', type: 'uuid' })
  reportId!: string;

  @Column({ type: 'text' })
  classification!: Report['classification'];

  @Column({ type: 'text', array: true })
  compartments!: string[];

  @ManyToOne(() => Report, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'report_id', foreignKeyConstraintName: 'FK_report_share_report' })
  report?: Relation<Report>;
}
