import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { APP_CONFIG, AppConfig } from '@agenthub/config';
import { normaliseEmail, User } from './entities/user.entity';
import { InvalidCredentialsError } from './auth.errors';
import { LoginThrottle } from './login-throttle.service';
import { PasswordCheckGate } from './password-check-gate';
import { PasswordHasher } from './password-hasher';
import { UsersService } from './users.service';

export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
  user: User;
}

@Injectable()
export class AuthService {
  /** This process's bound on concurrent logins and password checks. */
  readonly gate = new PasswordCheckGate();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly throttle: LoginThrottle,
    private readonly jwt: JwtService,
  ) {}

  /**
   * A token for valid credentials of an active user. Unknown email, wrong password and
   * inactive account give the same 401, after the same argon2 work (an unknown email is
   * checked against a dummy hash), and all count towards the email's throttle.
   *
   * A login first takes a place in the process's {@link PasswordCheckGate}: when too many are
   * in progress it is refused (429) before anything is read or counted, and its argon2 work
   * waits for a free check slot, so a flood of logins cannot take every core.
   */
  async login(emailAsTyped: string, password: string, ip?: string): Promise<IssuedToken> {
    const email = normaliseEmail(emailAsTyped);
    return this.gate.admit(async (check) => {
      const attempt = await this.throttle.reserve(email, ip);
      const user = await this.users.findByEmail(email);
      const valid = await check(() =>
        user ? this.hasher.verify(user.passwordHash, password) : this.hasher.verifyDummy(password),
      );
      // On failure the reserved attempt stays behind: it is the failure record.
      if (!user || !valid || !user.isActive) throw new InvalidCredentialsError();

      await this.throttle.succeeded(email, attempt);
      // Hashes imported from the legacy broker (or made with older parameters) are
      // upgraded the one time we see the password.
      if (this.hasher.needsRehash(user.passwordHash))
        await check(() => this.users.replacePasswordHash(user, password));
      const accessToken = await this.jwt.signAsync({ sub: user.id });
      return { accessToken, expiresIn: this.config.jwtTtlSeconds, user };
    });
  }
}
