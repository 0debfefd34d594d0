import { Injectable } from '@nestjs/common';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { User, normaliseEmail } from './entities/user.entity';
import { EmailTakenError } from './auth.errors';
import { PasswordHasher } from './password-hasher';

/** The columns the access guard reads of a token's user. */
export interface UserAccessRow {
  id: string;
  email: string;
  is_superuser: boolean;
  is_active: boolean;
}

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
   * What every JWT request needs of its user, read again each time (deactivation takes
   * effect at once): a primary-key lookup returning a plain row, with no entity hydration or
   * identity-map work, since nothing on that path changes the user.
   */
  async findAccessRow(id: string): Promise<UserAccessRow | undefined> {
    const rows = await this.em.execute<UserAccessRow[]>(
      `SELECT id, email, is_superuser, is_active FROM users WHERE id = ?`,
      [id],
    );
    return rows[0];
  }

  /** Stores a fresh hash of a password that was just verified (after a parameter upgrade). */
  async replacePasswordHash(user: User, password: string): Promise<void> {
    user.passwordHash = await this.hasher.hash(password);
    await this.em.flush();
  }
}
