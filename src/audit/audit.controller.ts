import { Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { Authorize } from '../access/authorize.decorator';
import { Public } from '../common/decorators';
import { ApiPageResponse, decodeCursor, encodeCursor, type Page } from '../common/pagination';
import { type AuthedContext, Ctx } from '../access/request-context';
import type { AuditEvent } from './audit-event.entity';
import { recordedFields } from './canonical';
import { AuditReceiptService, type HeadReceipt, type ReceiptCheck, type SigningKeyView } from './audit-receipt.service';
import { type AuditFilter, AuditService, type VerifyResult } from './audit.service';
import { AuditWriter } from './audit-writer';
import { HeadReceiptDto, ReceiptCheckDto, SigningKeyDto } from './dto/audit-receipt.dto';
import { AuditExportQuery, AuditFilterQuery, AuditSearchQuery } from './dto/audit-query.dto';
import { AuditChainBrokenDto, AuditChainValidDto, AuditEventDto } from './dto/audit-response.dto';

export function auditEventView(e: AuditEvent) {
  return {
    seq: Number(e.seq),
    at: e.atText ?? e.at.toISOString(),
    ...recordedFields(e),
    clientRequestId: e.clientRequestId,
    hash: e.hash,
    prevHash: e.prevHash,
    canon: e.canon,
  };
}

const CSV_COLUMNS = [
  'seq',
  'at',
  'actorId',
  'agencyId',
  'action',
  'resourceType',
  'resourceId',
  'resourceIds',
  'outcome',
  'reason',
  'requestId',
  'details',
  'hash',
  'prevHash',
  'clientRequestId',
  'canon',
] as const;

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'string' ? value : Array.isArray(value) ? value.join(' ') : JSON.stringify(value);
  // Quote everything that needs it, and neutralise spreadsheet formulas (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function filterOf(q: AuditFilterQuery): AuditFilter {
  return {
    actorId: q.actorId,
    agencyId: q.agencyId,
    action: q.action,
    clientRequestId: q.clientRequestId,
    resourceType: q.resourceType,
    resourceId: q.resourceId,
    outcome: q.outcome,
    from: q.from,
    to: q.to,
  };
}

@ApiTags('audit')
@Controller('api/v1/audit-events')
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly writer: AuditWriter,
    private readonly receipts: AuditReceiptService,
  ) {}

  @Get('head')
  @Authorize('read', 'AuditEvent')
  @ApiOperation({ summary: 'A signed receipt of the chain’s head (Ed25519), for a witness to keep' })
  @ApiOkResponse({ type: HeadReceiptDto })
  async head(@Ctx() ctx: AuthedContext): Promise<HeadReceipt> {
    // Recorded first: the receipt covers its own request's event.
    await this.writer.record(ctx, { action: 'audit.head', resourceType: 'AuditEvent', outcome: 'ALLOWED' });
    return this.receipts.head();
  }

  @Post('verify-receipt')
  @HttpCode(200)
  @Authorize('read', 'AuditEvent')
  @ApiOperation({ summary: 'Check a head receipt: signed by us, and the chain still holds that event with that hash and verifies from seq 1 to it' })
  @ApiOkResponse({ type: ReceiptCheckDto })
  async verifyReceipt(@Ctx() ctx: AuthedContext, @Body() body: HeadReceiptDto): Promise<ReceiptCheck> {
    const result = await this.receipts.check(body);
    await this.writer.record(ctx, {
      action: 'audit.verify_receipt',
      resourceType: 'AuditEvent',
      resourceId: String(body.seq),
      outcome: 'ALLOWED',
      details: { receipt: { seq: body.seq, hash: body.hash, at: body.at, keyId: body.keyId }, valid: result.valid, problem: result.problem },
    });
    return result;
  }

  @Get('keys')
  @Public()
  @ApiOperation({ summary: 'The public keys head receipts are signed with (public: a witness outside the cell pins them)' })
  @ApiOkResponse({ type: [SigningKeyDto] })
  keys(): Promise<SigningKeyView[]> {
    return this.receipts.keys();
  }

  @Get()
  @Authorize('read', 'AuditEvent')
  @ApiOperation({ summary: 'Search the audit log (auditors)' })
  @ApiPageResponse(AuditEventDto, 'One page of the matching events, in chain order (seq ascending)')
  async search(@Ctx() ctx: AuthedContext, @Query() q: AuditSearchQuery): Promise<Page<ReturnType<typeof auditEventView>>> {
    const filter = filterOf(q);
    await this.writer.record(ctx, {
      action: 'audit.search',
      resourceType: 'AuditEvent',
      outcome: 'ALLOWED',
      details: { filter: { ...filter, cursor: q.cursor ?? null } },
    });
    await this.audit.flush();
    const afterSeq = q.cursor ? decodeCursor(q.cursor, ['int'])[0] : undefined;
    const rows = await this.audit.search(ctx.ability, { ...filter, afterSeq }, q.limit + 1);
    const items = rows.slice(0, q.limit);
    const nextCursor = rows.length > q.limit ? encodeCursor([items[items.length - 1].seq]) : null;
    return { items: items.map(auditEventView), nextCursor };
  }

  @Get('verify')
  @Authorize('read', 'AuditEvent')
  @ApiOperation({ summary: 'Verify the hash chain from the first event to the head' })
  @ApiExtraModels(AuditChainValidDto, AuditChainBrokenDto)
  @ApiOkResponse({
    description: 'Intact (`valid: true`) or broken at `brokenAtSeq` (`valid: false`)',
    schema: { oneOf: [{ $ref: getSchemaPath(AuditChainValidDto) }, { $ref: getSchemaPath(AuditChainBrokenDto) }] },
  })
  async verify(@Ctx() ctx: AuthedContext): Promise<VerifyResult> {
    await this.writer.record(ctx, { action: 'audit.verify', resourceType: 'AuditEvent', outcome: 'ALLOWED' });
    return this.audit.verifyShared();
  }

  @Get('export')
  @Authorize('read', 'AuditEvent')
  @ApiOperation({ summary: 'Export the audit log as a stream (NDJSON or CSV)' })
  // The media types are the 200's own (not @ApiProduces, which would also list the JSON error bodies under them).
  @ApiExtraModels(AuditEventDto)
  @ApiOkResponse({
    description: 'The matching events, streamed in chain order: NDJSON, one AuditEventDto per line; or CSV with a header row of the same fields',
    content: {
      'application/x-ndjson': { schema: { $ref: getSchemaPath(AuditEventDto) } },
      'text/csv': { schema: { type: 'string' } },
    },
  })
  async export(@Ctx() ctx: AuthedContext, @Query() q: AuditExportQuery, @Res() reply: FastifyReply): Promise<void> {
    const filter = filterOf(q);
    await this.writer.record(ctx, {
      action: 'audit.export',
      resourceType: 'AuditEvent',
      outcome: 'ALLOWED',
      reason: q.purpose ?? null,
      details: { format: q.format, filter: { ...filter } },
    });
    await this.audit.flush();
    const events = this.audit.stream(ctx.ability, filter);
    async function* lines(): AsyncGenerator<string> {
      if (q.format === 'csv') yield `${CSV_COLUMNS.join(',')}\n`;
      for await (const e of events) {
        const view = auditEventView(e);
        yield q.format === 'csv' ? `${CSV_COLUMNS.map((c) => csvCell(view[c])).join(',')}\n` : `${JSON.stringify(view)}\n`;
      }
    }
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    await reply
      .header('content-type', q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="audit-${stamp}.${q.format}"`)
      .send(Readable.from(lines()));
  }
}
