import { type ArgumentMetadata, type ValidationError, ValidationPipe } from '@nestjs/common';
import { CommonErrorCode, CommonException } from './common.errors';

function flatten(errors: ValidationError[], parent = ''): { field: string; message: string }[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => ({
      field,
      // class-validator names only the leaf property; give the full path for nested fields.
      message: !parent
        ? m
        : m.startsWith(`${e.property} `)
          ? `${field}${m.slice(e.property.length)}`
          : m.startsWith(`property ${e.property} `)
            ? `property ${field}${m.slice(`property ${e.property}`.length)}`
            : m,
    }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

const MAX_DEPTH = 32;
type Problem = { field: string; message: string };
/** A UTF-16 surrogate without its pair: not a character, so PostgreSQL's jsonb refuses it and text would store U+FFFD instead. */
const UNPAIRED_SURROGATE = /\p{Cs}/u;

/** Why a string (a value or a key) cannot be stored as sent, or null. */
function badString(s: string, path: string): Problem | null {
  if (s.includes('\u0000')) return { field: path, message: `${path} must not contain NUL characters` };
  if (UNPAIRED_SURROGATE.test(s)) return { field: path, message: `${path} must be valid Unicode (an unpaired UTF-16 surrogate was sent)` };
  return null;
}

/**
 * What class-transformer would hide from the whitelist or PostgreSQL would refuse: NUL bytes and
 * unpaired surrogates, keys that name Object.prototype members (class-transformer drops `constructor`,
 * `__proto__`, `toString`… before forbidNonWhitelisted sees them), and nesting deeper than any DTO has.
 */
function inspect(value: unknown, path: string, depth = 0): Problem | null {
  if (depth > MAX_DEPTH) return { field: path, message: `${path} is nested too deeply` };
  if (typeof value === 'string') return badString(value, path);
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const p = path ? `${path}.${k}` : k;
      const badKey = badString(k, p);
      if (badKey) return badKey;
      if (k in Object.prototype) return { field: p, message: `property ${p} should not exist` };
      const hit = inspect(v, p, depth + 1);
      if (hit) return hit;
    }
  }
  return null;
}

/**
 * The house validation: whitelist, reject unknown fields, transform; every message names its field
 * with its full path, and the list of offending fields is returned as `fields`.
 */
export class AppValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      stopAtFirstError: false,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => {
        const flat = flatten(errors);
        return new CommonException(CommonErrorCode.VALIDATION, flat.map((f) => f.message).join('; '), {
          fields: [...new Set(flat.map((f) => f.field))],
        });
      },
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query' || metadata.type === 'param') {
      const root = metadata.type === 'body' ? '' : (metadata.data ?? '');
      const bad = inspect(value, root) ;
      if (bad) throw new CommonException(CommonErrorCode.VALIDATION, bad.message, { fields: [bad.field || 'body'] });
      if (metadata.type === 'body' && metadata.metatype && metadata.metatype !== Object) {
        if (value === null || typeof value !== 'object' || Array.isArray(value)) {
          throw new CommonException(CommonErrorCode.VALIDATION, 'body must be a JSON object', { fields: ['body'] });
        }
      }
    }
    return super.transform(value, metadata);
  }
}
