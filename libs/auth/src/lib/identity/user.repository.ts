import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';

/** The columns the access guard reads of a token's user. */
export interface UserAccessRow {
  id: string;
  email: string;
  is_superuser: boolean;
  is_active: boolean;
}

/** The admin's row after {@link UserRepository.upsertAdmin} changed it. */
export interface UpsertedAdmin {
  id: string;
  /** True when the row was inserted, false when an existing user was promoted. */
  inserted: boolean;
}

/**
 * The SQL of `users` that the unit of work does not express: the plain-row read of every
 * JWT request and the admin bootstrap's one-statement upsert. Everything else about users
 * goes through the {@link User} entity in {@link UsersService}.
 */
@Injectable()
export class UserRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * A primary-key lookup returning a plain row, with no entity hydration or identity-map
   * work: it runs on every JWT request, and nothing on that path changes the user.
   */
  async findAccessRow(id: string): Promise<UserAccessRow | undefined> {
    const rows = await this.em.execute<UserAccessRow[]>(
      `SELECT id, email, is_superuser, is_active FROM users WHERE id = ?`,
      [id],
    );
    return rows[0];
  }

  /**
   * Makes `email` an active superuser in one statement, safe when several processes run it
   * at once (it is an upsert on the unique email). A new row gets `passwordHash`; an
   * existing user keeps their password. `undefined` when the user already was an active
   * superuser: the UPDATE branch only fires when something must change, and then
   * `xmax = 0` tells an inserted row from an updated one.
   */
  async upsertAdmin(
    email: string,
    passwordHash: string,
    em: EntityManager = this.em,
  ): Promise<UpsertedAdmin | undefined> {
    const rows = await em.execute<UpsertedAdmin[]>(
      `INSERT INTO users (email, password_hash, name, is_superuser, is_active)
       VALUES (?, ?, 'Administrator', true, true)
       ON CONFLICT (email) DO UPDATE SET is_superuser = true, is_active = true, updated_at = now()
         WHERE NOT users.is_superuser OR NOT users.is_active
       RETURNING id, (xmax = 0) AS inserted`,
      [email, passwordHash],
    );
    return rows[0];
  }
}
