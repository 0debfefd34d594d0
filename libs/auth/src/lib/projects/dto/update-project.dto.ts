import { IsNotEmpty, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import { OptionalNotNull, Trim } from '@agenthub/http';

/**
 * Fields left out stay as they are. Written out rather than `PartialType(CreateProjectDto)`:
 * PartialType's `@IsOptional()` also waves `null` through, and `null` is no name (it
 * would reach the NOT NULL constraint instead of a validation error naming the field);
 * for `description`, `null` does mean "clear it".
 */
export class UpdateProjectDto {
  @OptionalNotNull()
  @Trim()
  @IsString()
  @IsNotEmpty({ message: 'name must not be blank' })
  @MaxLength(255)
  name?: string;

  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(10_000)
  description?: string | null;
}
