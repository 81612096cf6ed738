import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { AppConfig } from '../config/app-config';
import { User } from '../users/user.entity';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtStrategy } from './jwt.strategy';
import { LoginFailure } from './login-failure.entity';
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
    UsersModule,
  ],
  controllers: [AuthController],
  providers: [AuthService, PrincipalService, JwtStrategy],
})
export class AuthModule {}
