import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { Classification } from '../access/markings';
import type { Role } from '../access/roles';
import { Agency } from '../agencies/agency.entity';

@Entity('app_user')
@Index('IDX_app_user_username', ['username'], { unique: true })
@Index('IDX_app_user_agency', ['agencyId'])
@Check('CHK_app_user_clearance', `"clearance" IN ('UNCLASSIFIED','RESTRICTED','CONFIDENTIAL','SECRET','TOP_SECRET')`)
export class User {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  username!: string;

  @Column({ name: 'password_hash', type: 'text', select: false })
  passwordHash!: string;

  @Column({ name: 'agency_id', type: 'uuid' })
  agencyId!: string;

  @ManyToOne(() => Agency, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'agency_id', foreignKeyConstraintName: 'FK_app_user_agency' })
  agency?: Agency;

  @Column({ type: 'text', array: true })
  roles!: Role[];

  @Column({ type: 'text' })
  clearance!: Classification;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  compartments!: string[];

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  /** Carried in every token as `tv`; a password change bumps it, so older tokens stop working. */
  @Column({ name: 'token_version', type: 'integer', default: 0 })
  tokenVersion!: number;

  /** The password was reset by an ADMIN: the next login only lets the user change it. */
  @Column({ name: 'password_change_required', type: 'boolean', default: false })
  passwordChangeRequired!: boolean;
}
