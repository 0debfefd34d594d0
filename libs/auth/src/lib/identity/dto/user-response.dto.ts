import type { User } from '../entities/user.entity';

/** A user on the wire. There is no password field, by construction. */
export interface UserResponse {
  id: string;
  email: string;
  name: string;
  is_superuser: boolean;
  is_active: boolean;
  created_at: string;
  updated_at: string;
}

export function toUserResponse(user: User): UserResponse {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    is_superuser: user.isSuperuser,
    is_active: user.isActive,
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
  };
}
