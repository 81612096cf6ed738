import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AppConfig } from '../config/app-config';
import { generateSecret, isValidSecret, WebhookPolicy } from '../dissemination/webhook';
import { isUniqueViolation } from '../common/db-errors';
import { badRequest, conflict, notFound } from '../common/domain.exception';
import type { RequestContext } from '../common/request-context';
import { Agency } from './agency.entity';
import type { CreateAgencyDto } from './dto/create-agency.dto';

export function agencyView(a: Agency) {
  return { id: a.id, code: a.code, name: a.name, kind: a.kind, accreditation: a.accreditation, active: a.active };
}

@Injectable()
export class AgenciesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  /** Sets an agency's webhook. A generated secret is returned once and never again. */
  async setWebhook(ctx: RequestContext, id: string, url: string, secret?: string) {
    const problem = new WebhookPolicy(this.config.WEBHOOK_ALLOWED_HOSTS).validateUrl(url);
    if (problem) throw badRequest(problem, { fields: ['url'] });
    if (secret !== undefined && !isValidSecret(secret)) {
      throw badRequest('secret must be whsec_ followed by the base64 of 24 to 64 bytes', { fields: ['secret'] });
    }
    const generated = secret === undefined;
    const value = secret ?? generateSecret();
    return this.ds.transaction(async (m) => {
      const res = await m.update(Agency, { id }, { webhookUrl: url, webhookSecret: value });
      if (!res.affected) throw notFound('Agency');
      await this.audit.record(ctx, { action: 'agency.webhook', resourceType: 'Agency', resourceId: id, outcome: 'ALLOWED', details: { url, secretGenerated: generated } }, m);
      return { agencyId: id, url, ...(generated ? { secret: value } : {}) };
    });
  }

  list(): Promise<Agency[]> {
    return this.ds.getRepository(Agency).find({ order: { code: 'ASC' } });
  }

  async create(ctx: RequestContext, dto: CreateAgencyDto): Promise<Agency> {
    try {
      return await this.ds.transaction(async (m) => {
        if (dto.kind === 'FUSION_CELL') {
          // Exactly one agency is the fusion cell; serialise the check.
          await m.query(`SELECT pg_advisory_xact_lock(hashtext('agency.fusion_cell'))`);
          if (await m.existsBy(Agency, { kind: 'FUSION_CELL' })) throw conflict('A fusion cell agency already exists');
        }
        const agency = await m.save(m.create(Agency, { ...dto, active: true }));
        await this.audit.record(
          ctx,
          { action: 'agency.create', resourceType: 'Agency', resourceId: agency.id, outcome: 'ALLOWED', details: { code: agency.code } },
          m,
        );
        return agency;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`Agency code ${dto.code} already exists`);
      throw err;
    }
  }
}
