import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { MarkedColumns } from '../access/marked-columns';
import type { Classification, Likelihood, ThreatLevel, Tlp } from '../access/markings';

export const ASSESSMENT_STATUSES = ['DRAFT', 'IN_REVIEW', 'PUBLISHED'] as const;
export type AssessmentStatus = (typeof ASSESSMENT_STATUSES)[number];
export const SCOPES = ['NATIONAL', 'REGIONAL'] as const;
export type Scope = (typeof SCOPES)[number];

/** A finished-intelligence judgement drafted by the cell, published under the two-person rule. */
@Entity('assessment')
@Index('assessment_status_created_idx', ['status', 'createdAt', 'id'])
@Index('assessment_created_idx', ['createdAt', 'id'])
@Check('CHK_assessment_status', `"status" IN ('DRAFT','IN_REVIEW','PUBLISHED')`)
export class Assessment extends MarkedColumns {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'author_id', type: 'uuid' })
  authorId!: string;

  @Column({ type: 'text' })
  status!: AssessmentStatus;

  @Column({ type: 'text' })
  title!: string;

  @Column({ name: 'key_judgements', type: 'text', array: true })
  keyJudgements!: string[];

  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'text' })
  likelihood!: Likelihood;

  @Column({ name: 'recommended_level', type: 'text' })
  recommendedLevel!: ThreatLevel;

  @Column({ type: 'text' })
  scope!: Scope;

  @Column({ type: 'text', nullable: true })
  region!: string | null;

  @Column({ type: 'text', array: true })
  sectors!: string[];

  @Column({ name: 'report_ids', type: 'uuid', array: true })
  reportIds!: string[];

  @Column({ name: 'valid_until', type: 'timestamptz' })
  validUntil!: Date;

  @Column({ name: 'distribution_all', type: 'boolean' })
  distributionAll!: boolean;

  @Column({ name: 'distribution_codes', type: 'text', array: true })
  distributionCodes!: string[];

  @Column({ type: 'uuid', nullable: true })
  supersedes!: string | null;

  @Column({ name: 'superseded_by', type: 'uuid', nullable: true })
  supersededBy!: string | null;

  @Column({ name: 'superseded_at', type: 'timestamptz', nullable: true })
  supersededAt!: Date | null;

  @Column({ name: 'tearline_summary', type: 'text', nullable: true })
  tearlineSummary!: string | null;

  @Column({ name: 'tearline_classification', type: 'text', nullable: true })
  tearlineClassification!: Classification | null;

  @Column({ name: 'tearline_tlp', type: 'text', nullable: true })
  tearlineTlp!: Tlp | null;

  @Column({ name: 'submitted_at', type: 'timestamptz', nullable: true })
  submittedAt!: Date | null;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;

  @Column({ name: 'published_by', type: 'uuid', nullable: true })
  publishedBy!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
