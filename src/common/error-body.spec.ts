import { HttpException, ImATeapotException, Logger, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { DatabaseError } from 'pg-protocol';
import { QueryFailedError } from 'typeorm';
import { CommonErrorCode, notFound } from './common.errors';
import { errorCodes } from './domain.exception';
import { toErrorBody } from './error-body';

/** A PostgreSQL error as the pg driver raises it (outside a query: connecting, or the server going away). */
const pgError = (code: string, message: string): DatabaseError => Object.assign(new DatabaseError(message, message.length, 'error'), { code });

describe('toErrorBody', () => {
  // Every 5xx is logged (with its error and request id) through Nest's Logger: captured here, so a
  // passing run prints nothing and the test can say what was logged.
  let logged: unknown[][];
  beforeEach(() => {
    logged = [];
    jest.spyOn(Logger.prototype, 'error').mockImplementation((...args: unknown[]) => void logged.push(args));
  });
  afterEach(() => jest.restoreAllMocks());

  it('logs what it answers with a 5xx, with the error and the request id, and nothing it answers with a 4xx', () => {
    const boom = new Error('secret internal detail');
    expect(toErrorBody(boom, 'req-9')).toEqual({ statusCode: 500, error: 'Internal Server Error', code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error', requestId: 'req-9' });
    expect(toErrorBody(new UnauthorizedException('Invalid or missing token'), 'req-10').statusCode).toBe(401);
    expect(logged).toEqual([[{ err: boom, requestId: 'req-9' }, 'request failed']]);
  });

  it.each([
    ['57P03', 'the database system is starting up'],
    ['57P03', 'the database system is not yet accepting connections'],
    ['57P01', 'terminating connection due to administrator command'],
    ['08006', 'connection failure'],
    ['53300', 'sorry, too many clients already'],
  ])('answers 503, not 500, to a PostgreSQL %s raised while connecting (%s)', (code, message) => {
    expect(toErrorBody(pgError(code, message), 'req-1')).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      code: 'DATABASE_UNAVAILABLE',
      message: 'A dependency is unavailable, please retry',
      requestId: 'req-1',
    });
  });

  it('answers 503 when the connection is refused or cut', () => {
    expect(toErrorBody(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })).statusCode).toBe(503);
    expect(toErrorBody(new Error('Connection terminated unexpectedly')).statusCode).toBe(503);
  });

  it('answers 400, not 503, to an upload the client aborted (Fastify: ECONNRESET with statusCode 400)', () => {
    const aborted = Object.assign(new Error('aborted'), { code: 'ECONNRESET', statusCode: 400 });
    expect(toErrorBody(aborted)).toEqual({ statusCode: 400, error: 'Bad Request', code: 'BAD_REQUEST', message: 'aborted' });
  });

  it('maps query errors a client can cause to 4xx, and keeps internal messages out of the body', () => {
    const dup = new QueryFailedError('INSERT …', [], pgError('23505', 'duplicate key value violates unique constraint "secret_idx"'));
    expect(toErrorBody(dup)).toEqual({ statusCode: 409, error: 'Conflict', code: 'CONFLICT', message: 'Conflicts with an existing record' });
    const other = toErrorBody(pgError('42P01', 'relation "secret_table" does not exist'));
    expect(other).toEqual({ statusCode: 500, error: 'Internal Server Error', code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' });
  });

  it.each([
    ['40001', 'could not serialize access due to concurrent update'],
    ['40P01', 'deadlock detected'],
    ['55P03', 'canceling statement due to lock timeout'],
    ['57014', 'canceling statement due to statement timeout'],
  ])('answers 503 DATABASE_BUSY ("retry") to a query that lost a race or waited too long (%s)', (code, message) => {
    expect(toErrorBody(new QueryFailedError('UPDATE …', [], pgError(code, message)))).toMatchObject({ statusCode: 503, code: 'DATABASE_BUSY' });
  });

  it('answers a domain exception with its code, the status its capability maps the code to, and its details', () => {
    class MarkingException extends errorCodes({ MARKING_ABOVE_CLEARANCE: 403 }).Exception {}
    const err = new MarkingException('MARKING_ABOVE_CLEARANCE', 'You may not mark a report above your clearance', { fields: ['classification'] });
    expect(toErrorBody(err, 'req-2')).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      code: 'MARKING_ABOVE_CLEARANCE',
      message: 'You may not mark a report above your clearance',
      fields: ['classification'],
      requestId: 'req-2',
    });
    expect(toErrorBody(notFound('Report'))).toEqual({ statusCode: 404, error: 'Not Found', code: 'NOT_FOUND', message: 'Report not found' });
  });

  it('gives errors it did not raise a common code: the status phrase where there is one, else BAD_REQUEST or INTERNAL_SERVER_ERROR', () => {
    const tooLarge = Object.assign(new Error('body too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 });
    expect(toErrorBody(tooLarge)).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(toErrorBody(new NotFoundException('Cannot GET /nowhere')).code).toBe('NOT_FOUND');
    expect(toErrorBody(new ImATeapotException())).toMatchObject({ statusCode: 418, code: 'BAD_REQUEST' });
    for (const status of [400, 401, 403, 404, 405, 409, 413, 415, 418, 422, 429, 500, 501, 503]) {
      expect(Object.values(CommonErrorCode)).toContain(toErrorBody(new HttpException('x', status)).code);
    }
  });

  it('keeps HTTP exceptions as they are', () => {
    expect(toErrorBody(new UnauthorizedException('Invalid or missing token')).statusCode).toBe(401);
  });
});
