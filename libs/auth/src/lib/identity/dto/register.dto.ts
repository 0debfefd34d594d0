import { Transform } from 'class-transformer';
import { IsEmail, IsNotEmpty, IsString, Length, MaxLength } from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

export class RegisterDto {
  @Transform(trim) @IsEmail({}, { message: 'email must be an email address' }) @MaxLength(254)
  email!: string;

  /** Counted as typed (not trimmed): spaces are legitimate password characters. */
  @IsString() @Length(PASSWORD_MIN, PASSWORD_MAX, { message: `password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters` })
  password!: string;

  @Transform(trim) @IsString() @IsNotEmpty({ message: 'name must not be blank' }) @MaxLength(255)
  name!: string;
}
