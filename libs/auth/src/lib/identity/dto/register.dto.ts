import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsNotEmpty, IsString, Length, MaxLength } from 'class-validator';
import { Trim } from '@agenthub/http';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

export class RegisterDto {
  @ApiProperty({
    format: 'email',
    maxLength: 254,
    description: 'Trimmed; unique.',
    example: 'ada@example.com',
  })
  @Trim()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  @ApiProperty({
    format: 'password',
    minLength: PASSWORD_MIN,
    maxLength: PASSWORD_MAX,
    description: 'Counted as typed (not trimmed): spaces are legitimate password characters.',
  })
  @IsString()
  @Length(PASSWORD_MIN, PASSWORD_MAX, {
    message: `password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`,
  })
  password!: string;

  @ApiProperty({ minLength: 1, maxLength: 255, description: 'Trimmed.', example: 'Ada Lovelace' })
  @Trim()
  @IsString()
  @IsNotEmpty({ message: 'name must not be blank' })
  @MaxLength(255)
  name!: string;
}
