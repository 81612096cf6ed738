import { Check, Column, Entity, Index, JoinColumn, ManyToOne, OneToMany, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { MarkedColumns } from '../access/marked-columns';
import type { SourceReliability } from '../access/markings';
import { Agency } from '../agencies/agency.entity';
import { User } from '../users/user.entity';
import { ReportEntityValue } from './report-entity-value.entity';

export const REPORT_CATEGORIES = [
  'TERRORISM',
  'VIOLENT_EXTREMISM',
  'ORGANISED_CRIME',
  'CYBER',
  'PUBLIC_HEALTH',
  'CRITICAL_INFRASTRUCTURE',
  'BORDER_SECURITY',
  'PUBLIC_ORDER',
  'OTHER',
] as const;
export type ReportCategory = (typeof REPORT_CATEGORIES)[number];

export interface ReportLocation {
  placeName?: string;
  region?: string;
  lat?: number;
  lon?: number;
}

@Entity('report')
@Index('report_created_idx', ['createdAt', 'id'])
// (agency_id, created_at, id) INCLUDE (classification, compartments, purged_at): the own-agency branch,
// covering its markings (the ShareLiveAgencyCover migration).
@Index('report_agency_created_idx', { synchronize: false })
@Index('report_review_due_idx', ['reviewDueAt'], { where: `"purged_at" IS NULL` })
// (classification, created_at, id) and (created_at, id) WHERE tlp IN ('CLEAR','GREEN') AND purged_at IS NULL:
// the community-TLP branch of need-to-know, created by the ReadPaths migration.
@Index('report_community_idx', { synchronize: false })
@Index('report_community_recent_idx', { synchronize: false })
@Check('CHK_report_classification', `"classification" IN ('UNCLASSIFIED','RESTRICTED','CONFIDENTIAL','SECRET','TOP_SECRET')`)
@Check('CHK_report_tlp', `"tlp" IN ('CLEAR','GREEN','AMBER','AMBER+STRICT','RED')`)
@Check('CHK_report_grading', `"source_reliability" IN ('A','B','C','D','E','F') AND "information_credibility" BETWEEN 1 AND 6`)
export class Report extends MarkedColumns {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** The originating agency: always the submitter's own, taken from the token. */
  @Column({ name: 'agency_id', type: 'uuid' })
  agencyId!: string;

  @ManyToOne(() => Agency, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'agency_id', foreignKeyConstraintName: 'FK_report_agency' })
  agency?: Agency;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'FK_report_created_by' })
  creator?: User;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text' })
  narrative!: string;

  @Column({ type: 'text' })
  category!: ReportCategory;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ type: 'jsonb', nullable: true })
  location!: ReportLocation | null;

  @Column({ name: 'source_reliability', type: 'text' })
  sourceReliability!: SourceReliability;

  @Column({ name: 'information_credibility', type: 'smallint' })
  informationCredibility!: number;

  /** Agency codes the originator shares the report with. */
  @Index('report_releasable_idx', { synchronize: false })
  @Column({ name: 'releasable_to', type: 'text', array: true })
  releasableTo!: string[];

  /** Source identity and handling notes: originator-only. */
  @Column({ name: 'source_description', type: 'text', nullable: true })
  sourceDescription!: string | null;

  /** The reasonable-suspicion statement (28 CFR 23.20(a)). */
  @Column({ name: 'suspicion_basis', type: 'text' })
  suspicionBasis!: string;

  @Column({ name: 'review_due_at', type: 'timestamptz' })
  reviewDueAt!: Date;

  @Column({ name: 'validated_at', type: 'timestamptz', nullable: true })
  validatedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** Set when retention purged the content: the row stays as a tombstone (id, agency, dates). */
  @Column({ name: 'purged_at', type: 'timestamptz', nullable: true })
  purgedAt!: Date | null;

  /** Full-text index over title and narrative (`q`). Maintained by PostgreSQL. */
  @Index('report_search_idx', { synchronize: false })
  @Column({
    name: 'search_vector',
    type: 'tsvector',
    nullable: true,
    select: false,
    insert: false,
    update: false,
    generatedType: 'STORED',
    asExpression: `to_tsvector('english', title || ' ' || narrative)`,
  })
  searchVector?: string;

  @OneToMany(() => ReportEntityValue, (e) => e.report, { cascade: ['insert'] })
  entities?: Relation<ReportEntityValue>[];
}
