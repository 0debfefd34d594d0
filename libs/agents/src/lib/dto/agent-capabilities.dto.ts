import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { MaxJsonSize, OptionalNotNull, Trim } from '@agenthub/http';
import { DEFAULT_CAPABILITY_CONFIDENCE } from '../entities/agent-capability.entity';
import { AGENT_LIMITS as L } from './agent-limits';

export class CapabilityDetailDto {
  @ApiProperty({ type: String, minLength: 1, maxLength: L.capabilityName })
  @Trim()
  @IsString()
  @Length(1, L.capabilityName)
  capability_name!: string;

  @ApiPropertyOptional({
    type: Number,
    minimum: 0,
    maximum: 1,
    default: DEFAULT_CAPABILITY_CONFIDENCE,
    description: 'At most four decimal places (what learning from task outcomes keeps).',
  })
  @OptionalNotNull()
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 4 })
  @Min(0)
  @Max(1)
  confidence_score?: number;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: L.capabilityDescription })
  @IsOptional()
  @IsString()
  @MaxLength(L.capabilityDescription)
  description?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: `A JSON object (a JSON Schema, say) of at most ${L.jsonBytes} bytes.`,
  })
  @IsOptional()
  @IsObject()
  @MaxJsonSize(L.jsonBytes)
  input_schema?: Record<string, unknown> | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: `A JSON object (a JSON Schema, say) of at most ${L.jsonBytes} bytes.`,
  })
  @IsOptional()
  @IsObject()
  @MaxJsonSize(L.jsonBytes)
  output_schema?: Record<string, unknown> | null;
}

/** `PUT /agents/:id/capabilities`: the agent's whole capability set, with details. */
export class PutCapabilitiesDto {
  @ApiProperty({
    type: [CapabilityDetailDto],
    maxItems: L.capabilities,
    description: 'Each `capability_name` once.',
  })
  @IsArray()
  @ArrayMaxSize(L.capabilities)
  @ValidateNested({ each: true })
  @Type(() => CapabilityDetailDto)
  @ArrayUnique((c: CapabilityDetailDto) => c?.capability_name, {
    message: 'capabilities must not list a capability twice',
  })
  capabilities!: CapabilityDetailDto[];
}
