import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Action, SubjectName } from '../access/ability.factory';
import { ErrorBodyDto } from './error-body';

export const PUBLIC_KEY = 'fusion:public';
export const AUTHORIZE_KEY = 'fusion:authorize';

export interface Requirement {
  action: Action;
  subject: SubjectName;
}

/** A route anyone may call without a token. Everything else is denied by default. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export const OPTIONAL_USER_KEY = 'fusion:optional-user';

/**
 * A public route that also reads a bearer token when one is sent (GET /health: details for ADMIN). A
 * missing, invalid, expired or refused token is simply no user: the route answers as to anyone.
 */
export const PublicOptionalUser = () => applyDecorators(SetMetadata(PUBLIC_KEY, true), SetMetadata(OPTIONAL_USER_KEY, true));

/**
 * What a route needs: the caller's ability must allow `action` on `subject` (at type level; items are
 * then checked one by one, or filtered in SQL, by the service).
 */
export const Authorize = (action: Action, subject: SubjectName) =>
  applyDecorators(
    SetMetadata(AUTHORIZE_KEY, { action, subject } satisfies Requirement),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'No or invalid token', type: ErrorBodyDto }),
    ApiForbiddenResponse({ description: 'Not allowed for the caller’s role', type: ErrorBodyDto }),
  );
