import { PartialType } from '@nestjs/swagger';
import { AgentFieldsDto } from './agent-fields.dto';

/**
 * Every field optional; `null` clears only the nullable ones (nickname, config, …) and is a
 * 400 for the others. Renames are allowed; moving an agent to another project is not.
 */
export class UpdateAgentDto extends PartialType(AgentFieldsDto, { skipNullProperties: false }) {}
