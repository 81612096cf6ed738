import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One failed login, kept for throttling (per username and address, and per address). */
@Entity('login_failure')
@Index('IDX_login_failure_user_ip_at', ['username', 'clientIp', 'at'])
@Index('IDX_login_failure_ip_at', ['clientIp', 'at'])
export class LoginFailure {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'text' })
  username!: string;

  @Column({ name: 'client_ip', type: 'text' })
  clientIp!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;
}
