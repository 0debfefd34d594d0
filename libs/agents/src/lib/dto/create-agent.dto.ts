import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { AgentFieldsDto } from './agent-fields.dto';

export class CreateAgentDto extends AgentFieldsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  project_id!: string;
}
