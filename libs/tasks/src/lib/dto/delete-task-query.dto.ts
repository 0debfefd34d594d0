import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { QueryBoolean } from '@agenthub/http';

export class DeleteTaskQueryDto {
  /** Delete even when other tasks depend on this one (their dependency on it goes too). */
  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean({ message: 'force must be true or false' })
  force?: boolean;
}
