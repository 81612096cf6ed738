import { HttpException, Logger } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { QueryFailedError } from 'typeorm';
import { CommonErrorCode, CommonException } from './common.errors';
import { DomainException } from './domain.exception';

export interface ErrorBody {
  statusCode: number;
  error: string;
  /** A stable, machine-readable code from a capability's error-code enum (`src/error-codes.ts` lists them all). */
  code: string;
  message: string;
  requestId?: string;
  [extra: string]: unknown;
}

/** The error body as the OpenAPI document describes it (every 4xx and 5xx the API answers). */
export class ErrorBodyDto {
  @ApiProperty({ type: 'integer', example: 404, description: 'The HTTP status, repeated' })
  statusCode!: number;

  @ApiProperty({ example: 'Not Found', description: 'The status’s reason phrase' })
  error!: string;

  // The enum of every code is filled in when the document is built (setupSwagger): common/ knows no capability.
  @ApiProperty({ example: 'NOT_FOUND', description: 'A stable, machine-readable code (e.g. MARKING_ABOVE_CLEARANCE, SAME_ADMIN, VALIDATION): assert on it, not on the message' })
  code!: string;

  @ApiProperty({ example: 'Report not found', description: 'What went wrong; for invalid input it names every offending field' })
  message!: string;

  @ApiProperty({ example: '9f1c2d3e-4b5a-6789-abcd-ef0123456789', description: 'The request id (also the X-Request-Id response header)' })
  requestId!: string;

  @ApiPropertyOptional({ type: [String], example: ['title'], description: 'The offending fields, when the input is at fault' })
  fields?: string[];

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'The offending cited reports (422: derivative marking, unreadable citations)' })
  reportIds?: string[];

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'The offending cited assessments (422 on setting the threat level)' })
  assessmentIds?: string[];
}

const logger = new Logger('Errors');

const { BAD_REQUEST, CONFLICT, DATABASE_BUSY, DATABASE_UNAVAILABLE } = CommonErrorCode;

/** PostgreSQL error codes a client's input (or the load) can cause, and what they mean to the client. */
const PG_CLIENT_ERRORS: Record<string, [CommonErrorCode, string]> = {
  '22P02': [BAD_REQUEST, 'A value has an invalid format'],
  '22001': [BAD_REQUEST, 'A value is too long'],
  '22003': [BAD_REQUEST, 'A number is out of range'],
  '22007': [BAD_REQUEST, 'A date or time has an invalid format'],
  '22008': [BAD_REQUEST, 'A date or time is out of range'],
  '22021': [BAD_REQUEST, 'A text value contains an invalid character'],
  '22P05': [BAD_REQUEST, 'A text value contains an invalid character'],
  '23502': [BAD_REQUEST, 'A required value is missing'],
  '23505': [CONFLICT, 'Conflicts with an existing record'],
  '40001': [DATABASE_BUSY, 'The database is busy, please retry'],
  '40P01': [DATABASE_BUSY, 'The database is busy, please retry'],
  '53300': [DATABASE_BUSY, 'The database is busy, please retry'],
  '55P03': [DATABASE_BUSY, 'The database is busy, please retry'],
  '57014': [DATABASE_BUSY, 'The database took too long, please retry'],
  '57P01': [DATABASE_UNAVAILABLE, 'The database is unavailable'],
  '57P03': [DATABASE_UNAVAILABLE, 'The database is unavailable'],
};

const DB_DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

/** PostgreSQL's own codes for "cannot serve you now": connection exceptions (08…), shutting down or starting up, too many connections. */
const PG_UNAVAILABLE = /^(08...|57P0[123]|53300)$/;

function looksLikeDbDown(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (DB_DOWN_CODES.has(code) || PG_UNAVAILABLE.test(code))) return true;
  return /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|Client has encountered a connection error|Connection terminated unexpectedly/i.test(
    err.message,
  );
}

const COMMON_CODES = new Set<string>(Object.values(CommonErrorCode));

/** The code of an error we did not raise (Nest's, Fastify's): its status's phrase in upper snake case, when that is a common code. */
function phraseCode(statusCode: number, error: string): CommonErrorCode {
  const phrase = error.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  if (COMMON_CODES.has(phrase)) return phrase as CommonErrorCode;
  return statusCode < 500 ? CommonErrorCode.BAD_REQUEST : CommonErrorCode.INTERNAL_SERVER_ERROR;
}

function body(statusCode: number, message: string, extra?: Record<string, unknown>, code?: string): ErrorBody {
  const error = STATUS_CODES[statusCode] ?? 'Error';
  return { statusCode, error, code: code ?? phraseCode(statusCode, error), message, ...extra };
}

/** A common code's body, its status from the common map. */
const commonBody = (code: CommonErrorCode, message: string): ErrorBody => body(CommonException.statuses[code], message, undefined, code);

/**
 * Maps any thrown value to the contract's error body. Never leaks a stack trace or internal message:
 * unknown errors become 500 "Internal server error" and are logged with the request id.
 */
export function toErrorBody(err: unknown, requestId?: string): ErrorBody {
  const out = ((): ErrorBody => {
    if (err instanceof DomainException) return body(err.status, err.message, err.details, err.code);
    if (err instanceof HttpException) {
      const status = err.getStatus();
      const res = err.getResponse();
      if (typeof res === 'object' && res !== null) {
        const r = res as { message?: unknown; fields?: unknown };
        const msg = Array.isArray(r.message) ? r.message.join('; ') : typeof r.message === 'string' ? r.message : err.message;
        return body(status, msg, r.fields ? { fields: r.fields } : undefined);
      }
      return body(status, String(res));
    }
    if (err instanceof QueryFailedError) {
      const code = (err.driverError as { code?: string } | undefined)?.code ?? '';
      const known = PG_CLIENT_ERRORS[code];
      if (known) return commonBody(known[0], known[1]);
    }
    // Fastify's own errors (body too large, invalid JSON, unsupported media type, an aborted upload…)
    // carry a 4xx status.
    const fe = err as { statusCode?: unknown; code?: unknown; message?: unknown };
    if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      const msg =
        fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? 'Request body is larger than 1 MiB'
          : fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? 'Content-Type must be application/json'
            : err instanceof SyntaxError || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY'
              ? 'Request body is not valid JSON'
              : typeof fe.message === 'string'
                ? fe.message
                : 'Bad request';
      return body(fe.statusCode, msg);
    }
    // After Fastify's 4xx: a client that aborts its upload fails the body read with ECONNRESET, which
    // is the client's doing (400), not a dependency's (503).
    if (looksLikeDbDown(err) || (err instanceof Error && err.name === 'CannotExecuteNotConnectedError')) {
      return commonBody(CommonErrorCode.DATABASE_UNAVAILABLE, 'A dependency is unavailable, please retry');
    }
    return commonBody(CommonErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
  })();
  if (out.statusCode >= 500) {
    logger.error({ err, requestId }, 'request failed');
  }
  return requestId ? { ...out, requestId } : out;
}
