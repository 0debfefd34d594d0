import { ApiProperty } from '@nestjs/swagger';
import type { User } from '../entities/user.entity';

/** A user on the wire. There is no password field, by construction. */
export class UserResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'email', example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  name!: string;

  @ApiProperty({ description: 'Superusers see and manage every project.' })
  is_superuser!: boolean;

  @ApiProperty({ description: 'Inactive users cannot log in.' })
  is_active!: boolean;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export function toUserResponse(user: User): UserResponseDto {
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
