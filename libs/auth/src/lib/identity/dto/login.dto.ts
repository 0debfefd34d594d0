import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/**
 * Deliberately loose: a login never explains which rule a credential breaks (accounts
 * imported from the legacy broker may predate today's password rules). The caps only
 * bound the work a request can cause.
 */
export class LoginDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(254)
  email!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  password!: string;
}
