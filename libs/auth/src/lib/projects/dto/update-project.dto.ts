import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import { OptionalNotNull, Trim } from '@agenthub/http';

/**
 * Fields left out stay as they are. Written out rather than `PartialType(CreateProjectDto)`:
 * PartialType's `@IsOptional()` also waves `null` through, and `null` is no name (it
 * would reach the NOT NULL constraint instead of a validation error naming the field);
 * for `description`, `null` does mean "clear it".
 */
export class UpdateProjectDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 255, description: 'Trimmed; not null.' })
  @OptionalNotNull()
  @Trim()
  @IsString()
  @IsNotEmpty({ message: 'name must not be blank' })
  @MaxLength(255)
  name?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: 10_000,
    description: '`null` clears it.',
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(10_000)
  description?: string | null;
}
