import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Agency } from '../agencies/agency.entity';
import { AuditWriter } from '../audit/audit-writer';
import { AppConfig, ConfigError } from '../config/app-config';
import { ThreatLevelService } from '../threat-level/threat-level.service';
import { User } from '../users/user.entity';
import { PasswordService } from '../users/password.service';
import { systemContext } from '../access/request-context';

const BOOTSTRAP_CTX = systemContext('bootstrap');

/**
 * On an empty users table: creates the fusion-cell agency (code FUSION) and the `admin` user, whose
 * password is BOOTSTRAP_ADMIN_PASSWORD. Outside development an unset password stops start-up.
 */
@Injectable()
export class BootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger(BootstrapService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly config: AppConfig,
    private readonly passwords: PasswordService,
    private readonly audit: AuditWriter,
    private readonly threatLevel: ThreatLevelService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ds.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('bootstrap'))`);
      await this.threatLevel.ensureInitial(BOOTSTRAP_CTX, m);
      if ((await m.count(User)) > 0) return;
      let password = this.config.BOOTSTRAP_ADMIN_PASSWORD;
      if (!password) {
        if (this.config.NODE_ENV !== 'development') {
          throw new ConfigError('BOOTSTRAP_ADMIN_PASSWORD must be set to create the first admin (the users table is empty)');
        }
        password = randomBytes(18).toString('base64url');
        process.stderr.write(`\n  Development bootstrap: created user "admin" with password ${password}\n\n`);
      }
      let cell = await m.findOneBy(Agency, { kind: 'FUSION_CELL' });
      cell ??= await m.save(
        m.create(Agency, { code: 'FUSION', name: 'National Fusion Cell', kind: 'FUSION_CELL', accreditation: 'TOP_SECRET', active: true }),
      );
      const admin = await m.save(
        m.create(User, {
          username: 'admin',
          passwordHash: await this.passwords.hash(password),
          agencyId: cell.id,
          roles: ['ADMIN'],
          clearance: 'UNCLASSIFIED',
          compartments: [],
          active: true,
        }),
      );
      await this.audit.record(
        BOOTSTRAP_CTX,
        { action: 'system.bootstrap', resourceType: 'User', resourceId: admin.id, outcome: 'ALLOWED', details: { agencyId: cell.id } },
        m,
      );
      this.logger.log('bootstrapped the fusion-cell agency and the admin user');
    });
  }
}
