import { applyDecorators, SetMetadata } from '@nestjs/common';

export const PUBLIC_KEY = 'fusion:public';

/** A route anyone may call without a token. Everything else is denied by default. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export const OPTIONAL_USER_KEY = 'fusion:optional-user';

/**
 * A public route that also reads a bearer token when one is sent (GET /health: details for ADMIN). A
 * missing, invalid, expired or refused token is simply no user: the route answers as to anyone.
 */
export const PublicOptionalUser = () => applyDecorators(SetMetadata(PUBLIC_KEY, true), SetMetadata(OPTIONAL_USER_KEY, true));
