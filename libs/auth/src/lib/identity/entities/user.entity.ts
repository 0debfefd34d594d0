import { Entity, Property } from '@mikro-orm/core';
import { BaseEntity } from '@agenthub/database';

/** A person who signs in with email and password. */
@Entity({ tableName: 'users' })
export class User extends BaseEntity<'isSuperuser' | 'isActive'> {
  /** Always stored lowercased and trimmed: see {@link normaliseEmail}. */
  @Property({ type: 'string', length: 254 })
  email!: string;

  /** argon2id PHC string. Hidden from serialisation; responses are mapped by hand anyway. */
  @Property({ type: 'text', hidden: true })
  passwordHash!: string;

  @Property({ type: 'string', length: 255 })
  name!: string;

  @Property({ type: 'boolean' })
  isSuperuser = false;

  @Property({ type: 'boolean' })
  isActive = true;
}

/** The one normal form of an email address, used to store, compare and throttle. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
