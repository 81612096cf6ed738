import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { AppConfig } from '../config/app-config';
import { ThreatLevelModule } from '../threat-level/threat-level.module';
import { User } from '../users/user.entity';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { BootstrapService } from '../bootstrap/bootstrap.service';
import { JwtStrategy } from './jwt.strategy';
import { LoginFailure } from './login-failure.entity';
import { PasswordService } from '../users/password.service';
import { PrincipalService } from './principal.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([User, LoginFailure]),
    PassportModule,
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ secret: config.jwtSecret }),
    }),
    AuditModule,
    ThreatLevelModule,
  ],
  controllers: [AuthController],
  providers: [AuthService, PasswordService, PrincipalService, JwtStrategy, BootstrapService],
  exports: [PasswordService],
})
export class AuthModule {}
