import { Injectable } from '@nestjs/common';
import { createSecretKey } from 'node:crypto';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { Principal } from '../access/principal';
import type { AppRequest } from '../access/request-context';
import { AppConfig } from '../config/app-config';
import { PrincipalService, type TokenPayload } from './principal.service';

export const JWT_ISSUER = 'fusion-cell';
export const JWT_AUDIENCE = 'fusion-cell-api';

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(
    config: AppConfig,
    private readonly principals: PrincipalService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject: with a plain string, jsonwebtoken first tries (and fails) to parse it as a public key on every request.
      // (passport-jwt types say string or Buffer; it hands the key to jsonwebtoken, which takes a KeyObject.)
      secretOrKey: createSecretKey(Buffer.from(config.jwtSecret)) as unknown as Buffer,
      algorithms: ['HS256'],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      ignoreExpiration: false,
      passReqToCallback: true,
    });
  }

  async validate(req: AppRequest, payload: TokenPayload): Promise<Principal | false> {
    return (await this.principals.fromToken(req, payload)) ?? false;
  }
}
