import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { Principal } from '../access/principal';
import { AppConfig } from '../config/app-config';
import { PrincipalService } from './principal.service';

export const JWT_ISSUER = 'fusion-cell';
export const JWT_AUDIENCE = 'fusion-cell-api';

interface TokenPayload {
  sub: string;
}

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(
    config: AppConfig,
    private readonly principals: PrincipalService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwtSecret,
      algorithms: ['HS256'],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      ignoreExpiration: false,
    });
  }

  async validate(payload: TokenPayload): Promise<Principal | false> {
    if (typeof payload?.sub !== 'string' || !/^[0-9a-f-]{36}$/i.test(payload.sub)) return false;
    return (await this.principals.load(payload.sub)) ?? false;
  }
}
