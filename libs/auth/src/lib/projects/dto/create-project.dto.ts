import { IsNotEmpty, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import { Trim } from '@agenthub/http';

export class CreateProjectDto {
  @Trim()
  @IsString()
  @IsNotEmpty({ message: 'name must not be blank' })
  @MaxLength(255)
  name!: string;

  /** Optional; `null` clears it on update. */
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(10_000)
  description?: string | null;
}
