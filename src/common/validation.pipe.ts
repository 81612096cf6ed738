import { BadRequestException, type ArgumentMetadata, type ValidationError, ValidationPipe } from '@nestjs/common';

function flatten(errors: ValidationError[], parent = ''): { field: string; message: string }[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => ({
      field,
      // class-validator names only the leaf property; give the full path for nested fields.
      message: parent && m.startsWith(`${e.property} `) ? `${field}${m.slice(e.property.length)}` : m,
    }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** Finds the path of the first string (or key) holding a NUL byte, which PostgreSQL cannot store. */
function findNul(value: unknown, path: string, depth = 0): string | null {
  if (depth > 64) return path || 'body';
  if (typeof value === 'string') return value.includes('\u0000') ? path || 'value' : null;
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const p = path ? `${path}.${k}` : k;
      if (k.includes('\u0000')) return p;
      const hit = findNul(v, p, depth + 1);
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
        return new BadRequestException({
          message: flat.map((f) => f.message),
          fields: [...new Set(flat.map((f) => f.field))],
        });
      },
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query' || metadata.type === 'param') {
      const nul = findNul(value, '');
      if (nul) {
        throw new BadRequestException({ message: [`${nul} must not contain NUL characters`], fields: [nul] });
      }
      if (metadata.type === 'body' && metadata.metatype && metadata.metatype !== Object) {
        if (value === null || typeof value !== 'object' || Array.isArray(value)) {
          throw new BadRequestException({ message: ['body must be a JSON object'], fields: ['body'] });
        }
      }
    }
    return super.transform(value, metadata);
  }
}
