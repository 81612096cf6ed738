import {
  ApiExtraModels,
  ApiOkResponse,
  ApiPropertyOptional,
  type DiscriminatorObject,
  getSchemaPath,
  type ReferenceObject,
  type SchemaObject,
} from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { applyDecorators, type ArgumentMetadata, ParseUUIDPipe, type PipeTransform, type Type as Class } from '@nestjs/common';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { CommonErrorCode, CommonException } from './common.errors';

export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  // Decimal digits only: Number() would also take ' 5', '+5', '0x10' or '1e2'.
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value))
  @IsInt({ message: 'limit must be a whole number from 1 to 200' })
  @Min(1)
  @Max(200)
  limit: number = 50;

  @ApiPropertyOptional({ description: 'Opaque cursor from a previous page’s nextCursor' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'cursor is not a valid cursor' })
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** What a documented item is: one response class, or one of several told apart by a discriminator property. */
export type ItemModels = Class<unknown> | { oneOf: Class<unknown>[]; discriminator: DiscriminatorObject };

/** The item's schema (a `$ref`, or a `oneOf` of `$ref`s) and the classes it needs registered. */
export function itemSchema(item: ItemModels): { schema: SchemaObject | ReferenceObject; models: Class<unknown>[] } {
  if (typeof item === 'function') return { schema: { $ref: getSchemaPath(item) }, models: [item] };
  return { schema: { oneOf: item.oneOf.map((m) => ({ $ref: getSchemaPath(m) })), discriminator: item.discriminator }, models: item.oneOf };
}

/** Documents a 200 answered with one page of a keyset-paginated list: `{ items: [item…], nextCursor }`. */
export function ApiPageResponse(item: ItemModels, description = 'One page, newest first'): MethodDecorator & ClassDecorator {
  const { schema, models } = itemSchema(item);
  return applyDecorators(
    ApiExtraModels(...models),
    ApiOkResponse({
      description,
      schema: {
        type: 'object',
        required: ['items', 'nextCursor'],
        properties: {
          items: { type: 'array', items: schema },
          nextCursor: { type: 'string', nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' },
        },
      },
    }),
  );
}

export function encodeCursor(parts: (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** Decodes a cursor made by encodeCursor, checking each part's shape; 400 naming `cursor` otherwise. */
export function decodeCursor(cursor: string, shape: ('date' | 'uuid' | 'int')[]): string[] {
  try {
    const parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(parts) || parts.length !== shape.length) throw new Error();
    return parts.map((p, i) => {
      if (typeof p !== 'string' && typeof p !== 'number') throw new Error(); // not [[5]] or [{}]
      const s = String(p);
      const ok =
        shape[i] === 'date'
          ? /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(s) && !s.startsWith('0000') && new Date(s).toISOString() === s
          : shape[i] === 'uuid'
            ? /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)
            : /^\d{1,18}$/.test(s);
      if (!ok) throw new Error();
      return s;
    });
  } catch {
    throw new CommonException(CommonErrorCode.VALIDATION, 'cursor is not a valid cursor', { fields: ['cursor'] });
  }
}

/** A UUID in any case (any version). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID in its one spelling (lower case), so that an id sent in upper case is audited, and found, as the same id. */
export function uuidSpelling<T>(value: T): T {
  if (typeof value === 'string' && UUID.test(value)) return value.toLowerCase() as T;
  if (Array.isArray(value)) return value.map((v: unknown) => uuidSpelling(v)) as T;
  return value;
}

/** DTO fields holding a UUID or an array of them: spelt in lower case before validation (other values are left as they are). */
export const UuidSpelling = () => Transform(({ value }: { value: unknown }) => uuidSpelling(value));

class UuidParamPipe implements PipeTransform<string, Promise<string>> {
  private readonly parse = new ParseUUIDPipe({ exceptionFactory: () => new CommonException(CommonErrorCode.VALIDATION, 'id must be a UUID', { fields: ['id'] }) });

  async transform(value: string, metadata: ArgumentMetadata): Promise<string> {
    return uuidSpelling((await this.parse.transform(value, metadata)) as string);
  }
}

/** `:id` route parameters: a UUID, in lower case, or 400 naming `id`. */
export const UuidParam = new UuidParamPipe();

/**
 * Newest-first keyset pagination over (`timeColumn`, id): applies the cursor, the order and
 * limit + 1; `page` then splits the rows into items and the next cursor.
 */
export function newestFirst<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, timeColumn: string, q: PageQuery): SelectQueryBuilder<T> {
  const a = qb.alias;
  if (q.cursor) {
    const [at, id] = decodeCursor(q.cursor, ['date', 'uuid']);
    qb.andWhere(`(${a}.${timeColumn}, ${a}.id) < (:cursorAt, :cursorId)`, { cursorAt: at, cursorId: id });
  }
  return qb.orderBy(`${a}.${timeColumn}`, 'DESC').addOrderBy(`${a}.id`, 'DESC').limit(q.limit + 1);
}

/** The cursor of the page that starts after the row at (`at`, `id`): what `newestFirst` decodes. */
export function cursorAfter(at: Date, id: string): string {
  return encodeCursor([at.toISOString(), id]);
}

export function pageOf<T extends { id: string }>(rows: T[], limit: number, timeOf: (row: T) => Date): { page: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { page, nextCursor: rows.length > limit && last ? cursorAfter(timeOf(last), last.id) : null };
}

/** The same for a list in id order (the cursor is the last id shown): rows read with `limit + 1`. */
export function idPageOf<T>(rows: T[], limit: number, idOf: (row: T) => string): { page: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { page, nextCursor: rows.length > limit && last ? encodeCursor([idOf(last)]) : null };
}
