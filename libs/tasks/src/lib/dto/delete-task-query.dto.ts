import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { QueryBoolean } from '@agenthub/http';

export class DeleteTaskQueryDto {
  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description:
      'Delete even when other tasks depend on this one (their dependency on it goes too).',
  })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean({ message: 'force must be true or false' })
  force?: boolean;
}
