import { CanActivate, Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@agenthub/config';
import { RegistrationClosedError } from './auth.errors';

/**
 * `AGENTHUB_ALLOW_REGISTRATION=false` closes `POST /auth/register`. A guard, so a closed
 * door answers 403 before the body is even validated.
 */
@Injectable()
export class RegistrationOpenGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(): boolean {
    if (!this.config.allowRegistration) throw new RegistrationClosedError();
    return true;
  }
}
