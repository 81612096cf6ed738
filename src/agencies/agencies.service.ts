import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { isUniqueViolation } from '../common/db-errors';
import { conflict } from '../common/domain.exception';
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
  ) {}

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
