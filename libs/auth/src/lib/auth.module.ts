import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { APP_CONFIG, AppConfig } from '@agenthub/config';
import { AuditController } from './audit/audit.controller';
import { AuditHook } from './audit/audit.hook';
import { AuditRepository } from './audit/audit.repository';
import { AuditService } from './audit/audit.service';
import { AccessCache } from './identity/access-cache';
import { AccessGuard } from './identity/access.guard';
import { AdminBootstrap } from './identity/admin-bootstrap.service';
import { AuthController } from './identity/auth.controller';
import { AuthService } from './identity/auth.service';
import { JWT_AUDIENCE, JWT_ISSUER, JWT_SIGNING_KEY, resolveJwtSecret } from './identity/jwt-secret';
import { JwtStrategy } from './identity/jwt.strategy';
import { LoginAttemptRepository } from './identity/login-attempt.repository';
import { LoginThrottle } from './identity/login-throttle.service';
import { PasswordHasher } from './identity/password-hasher';
import { RegistrationOpenGuard } from './identity/registration-open.guard';
import { UserRepository } from './identity/user.repository';
import { UsersService } from './identity/users.service';
import { ProjectAccessPolicy } from './projects/project-access.policy';
import { ProjectsController } from './projects/projects.controller';
import { ProjectsService } from './projects/projects.service';

/**
 * Identity and access: users and JWT login, projects and the one project access policy,
 * the audit log. Importing it installs, for every route of the app, the deny-by-default
 * guard and the audit row of each mutating request (a hook of the request transaction, so
 * the app must import the database lib's DatabaseModule too). Domain libs import it for
 * {@link ProjectAccessPolicy} and {@link AuditService}.
 */
@Module({
  controllers: [AuthController, ProjectsController, AuditController],
  providers: [
    {
      provide: JWT_SIGNING_KEY,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => resolveJwtSecret(config),
    },
    {
      provide: JwtService,
      inject: [APP_CONFIG, JWT_SIGNING_KEY],
      useFactory: (config: AppConfig, secret: string) =>
        new JwtService({
          secret,
          signOptions: {
            algorithm: 'HS256',
            expiresIn: config.jwtTtlSeconds,
            issuer: JWT_ISSUER,
            audience: JWT_AUDIENCE,
          },
          verifyOptions: { algorithms: ['HS256'], issuer: JWT_ISSUER, audience: JWT_AUDIENCE },
        }),
    },
    PasswordHasher,
    UserRepository,
    UsersService,
    LoginAttemptRepository,
    LoginThrottle,
    AuthService,
    JwtStrategy,
    RegistrationOpenGuard,
    AdminBootstrap,
    ProjectAccessPolicy,
    ProjectsService,
    AuditRepository,
    AuditService,
    AuditHook,
    AccessCache,
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [ProjectAccessPolicy, AuditService],
})
export class AuthModule {}
