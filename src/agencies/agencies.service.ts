import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, In, type Repository } from 'typeorm';
import { type Approval, FourEyes, type PendingAnswer } from '../four-eyes/four-eyes';
import { AuditWriter } from '../audit/audit-writer';
import { AppConfig } from '../config/app-config';
import { generateSecret, isValidSecret, WebhookPolicy } from '../config/webhook-policy';
import { isUniqueViolation } from '../common/db-errors';
import { AgenciesErrorCode, AgenciesException } from './agencies.errors';
import { notFound } from '../common/common.errors';
import type { AuthedContext, RequestContext } from '../access/request-context';
import { Agency } from './agency.entity';
import type { CreateAgencyDto } from './dto/create-agency.dto';

export interface WebhookSetting {
  agencyId: string;
  url: string;
  secret?: string;
}

export function agencyView(a: Agency) {
  return { id: a.id, code: a.code, name: a.name, kind: a.kind, accreditation: a.accreditation, active: a.active };
}

@Injectable()
export class AgenciesService {
  constructor(
    @InjectRepository(Agency) private readonly agencies: Repository<Agency>,
    // Writes run in a transaction with their audit event (and the advisory lock of the fusion cell).
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditWriter,
    private readonly config: AppConfig,
    private readonly fourEyes: FourEyes,
  ) {}

  /**
   * Sets an agency's webhook: a sensitive change (SPEC S1), so it waits for a second ADMIN when one
   * exists. A secret the request gives waits with it (never shown); a generated one is made when the
   * change is applied and returned once, to whoever applied it.
   */
  async setWebhook(ctx: AuthedContext, id: string, url: string, secret?: string): Promise<WebhookSetting | PendingAnswer> {
    this.checkWebhook(url, secret);
    if (!(await this.agencies.existsBy({ id }))) throw notFound('Agency');
    if (await this.fourEyes.approverExists(ctx.principal.id)) {
      const request = { agencyId: id, url, secretGiven: secret !== undefined };
      return this.fourEyes.request(ctx, { kind: 'AGENCY_WEBHOOK', targetId: id, agencyId: id, request, webhookSecret: secret });
    }
    return this.ds.transaction((m) => this.applyWebhook(ctx, m, id, url, secret ?? null));
  }

  /** Writes the webhook, checking the URL again against the policy now. A generated secret is returned once and never again. */
  async applyWebhook(ctx: RequestContext, m: EntityManager, id: string, url: string, secret: string | null, approval?: Approval): Promise<WebhookSetting> {
    this.checkWebhook(url, secret ?? undefined);
    const generated = secret === null;
    const value = secret ?? generateSecret();
    const res = await m.update(Agency, { id }, { webhookUrl: url, webhookSecret: value });
    if (!res.affected) throw notFound('Agency');
    await this.audit.record(
      ctx,
      { action: 'agency.webhook', resourceType: 'Agency', resourceId: id, outcome: 'ALLOWED', details: { url, secretGenerated: generated, ...approval } },
      m,
    );
    return { agencyId: id, url, ...(generated ? { secret: value } : {}) };
  }

  private checkWebhook(url: string, secret?: string): void {
    const problem = new WebhookPolicy(this.config.WEBHOOK_ALLOWED_HOSTS).validateUrl(url);
    if (problem) throw new AgenciesException(AgenciesErrorCode.INVALID_WEBHOOK_URL, problem, { fields: ['url'] });
    if (secret !== undefined && !isValidSecret(secret)) {
      throw new AgenciesException(AgenciesErrorCode.INVALID_WEBHOOK_SECRET, 'secret must be whsec_ followed by the base64 of 24 to 64 bytes', { fields: ['secret'] });
    }
  }

  list(): Promise<Agency[]> {
    return this.agencies.find({ order: { code: 'ASC' } });
  }

  /** 400 unless every code names an agency (`field`: where the request gave them, e.g. releasableTo). */
  async requireCodes(codes: string[], field: string): Promise<void> {
    if (codes.length === 0) return;
    const known = new Set((await this.agencies.findBy({ code: In(codes) })).map((a) => a.code));
    const unknown = codes.filter((c) => !known.has(c));
    if (unknown.length) throw new AgenciesException(AgenciesErrorCode.UNKNOWN_AGENCY, `${field} names unknown agencies: ${unknown.join(', ')}`, { fields: [field] });
  }

  async create(ctx: RequestContext, dto: CreateAgencyDto): Promise<Agency> {
    try {
      return await this.ds.transaction(async (m) => {
        if (dto.kind === 'FUSION_CELL') {
          // Exactly one agency is the fusion cell; serialise the check.
          await m.query(`SELECT pg_advisory_xact_lock(hashtext('agency.fusion_cell'))`);
          if (await m.existsBy(Agency, { kind: 'FUSION_CELL' })) throw new AgenciesException(AgenciesErrorCode.FUSION_CELL_EXISTS, 'A fusion cell agency already exists');
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
      if (isUniqueViolation(err)) throw new AgenciesException(AgenciesErrorCode.AGENCY_CODE_TAKEN, `Agency code ${dto.code} already exists`);
      throw err;
    }
  }
}
