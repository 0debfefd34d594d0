import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/**
 * Deliberately loose: a login never explains which rule a credential breaks (accounts
 * imported from the legacy broker may predate today's password rules). The caps only
 * bound the work a request can cause.
 */
export class LoginDto {
  @ApiProperty({ minLength: 1, maxLength: 254, example: 'ada@example.com' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ minLength: 1, maxLength: 1024, format: 'password' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  password!: string;
}
