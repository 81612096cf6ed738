import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorBodyDto } from '../common/error-body';
import type { Action, SubjectName } from './ability.factory';

export const AUTHORIZE_KEY = 'fusion:authorize';

export interface Requirement {
  action: Action;
  subject: SubjectName;
}

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
