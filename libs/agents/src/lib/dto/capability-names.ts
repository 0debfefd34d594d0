import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsString, Length } from 'class-validator';
import { TrimEach } from '@agenthub/http';
import { AGENT_LIMITS as L } from './agent-limits';

/**
 * The rules of a list of capability names wherever one is given (an agent's capabilities, a
 * task's required capabilities, a claim's subset), so that what a task may require and what
 * an agent may have cannot drift apart: trimmed, at most `AGENT_LIMITS.capabilities` names of
 * 1 to `AGENT_LIMITS.capabilityName` characters and, with `unique`, none twice. Whether the
 * list may be left out is the field's own decorator.
 */
export function CapabilityNames(options: { unique?: boolean } = {}): PropertyDecorator {
  // In the order they would stand above the property; applied bottom-up like stacked
  // decorators, so the validation messages keep their order.
  const stack: PropertyDecorator[] = [
    ApiPropertyOptional({
      type: 'array',
      items: { type: 'string', minLength: 1, maxLength: L.capabilityName },
      maxItems: L.capabilities,
      ...(options.unique ? { uniqueItems: true } : {}),
    }),
    TrimEach(),
    IsArray(),
    ArrayMaxSize(L.capabilities),
    IsString({ each: true }),
    Length(1, L.capabilityName, { each: true }),
  ];
  if (options.unique) stack.push(ArrayUnique());
  return (target, propertyKey) => {
    for (const decorator of [...stack].reverse()) decorator(target, propertyKey);
  };
}
