import { Transform } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateProjectDto {
  @Transform(trim) @IsString() @IsNotEmpty({ message: 'name must not be blank' }) @MaxLength(255)
  name!: string;

  /** Optional; `null` clears it on update. */
  @IsOptional() @ValidateIf((_o, v) => v !== null) @IsString() @MaxLength(10_000)
  description?: string | null;
}
