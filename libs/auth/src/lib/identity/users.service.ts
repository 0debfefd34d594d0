import { Injectable } from '@nestjs/common';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { User, normaliseEmail } from './entities/user.entity';
import { EmailTakenError } from './auth.errors';
import { PasswordHasher } from './password-hasher';
import { UserAccessRow, UserRepository } from './user.repository';

export interface NewUser {
  email: string;
  password: string;
  name: string;
}

@Injectable()
export class UsersService {
  constructor(
    private readonly em: EntityManager,
    private readonly hasher: PasswordHasher,
    private readonly users: UserRepository,
  ) {}

  /** A new, active, non-super user. 409 when the email is taken, in any letter case. */
  async register(input: NewUser): Promise<User> {
    const email = normaliseEmail(input.email);
    if (await this.findByEmail(email)) throw new EmailTakenError();
    const user = this.em.create(User, {
      email,
      name: input.name,
      passwordHash: await this.hasher.hash(input.password),
    });
    try {
      await this.em.flush();
    } catch (error) {
      // Someone registered the same email between our check and our insert.
      if (error instanceof UniqueConstraintViolationException) throw new EmailTakenError();
      throw error;
    }
    return user;
  }

  findByEmail(email: string): Promise<User | null> {
    return this.em.findOne(User, { email: normaliseEmail(email) });
  }

  findById(id: string): Promise<User | null> {
    return this.em.findOne(User, { id });
  }

  /**
   * What every JWT request needs of its user, read again each time so that a deactivation
   * takes effect at once: one plain indexed read.
   */
  findAccessRow(id: string): Promise<UserAccessRow | undefined> {
    return this.users.findAccessRow(id);
  }

  /** Stores a fresh hash of a password that was just verified (after a parameter upgrade). */
  async replacePasswordHash(user: User, password: string): Promise<void> {
    user.passwordHash = await this.hasher.hash(password);
    await this.em.flush();
  }
}
