import { IsEmail, IsNotEmpty, IsString, Length, MaxLength } from 'class-validator';
import { Trim } from '@agenthub/http';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

export class RegisterDto {
  @Trim()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  /** Counted as typed (not trimmed): spaces are legitimate password characters. */
  @IsString()
  @Length(PASSWORD_MIN, PASSWORD_MAX, {
    message: `password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`,
  })
  password!: string;

  @Trim()
  @IsString()
  @IsNotEmpty({ message: 'name must not be blank' })
  @MaxLength(255)
  name!: string;
}
