import { FieldErrors, RequestValidationError } from '@agenthub/errors';
import { createValidationPipe } from '@agenthub/http';
import { AgentFieldsDto } from './dto/agent-fields.dto';
import type { BatchDeployErrorDto } from './dto/batch-deploy.dto';
import { AGENT_LIMITS } from './dto/agent-limits';

export interface ValidBatchItem {
  index: number;
  fields: AgentFieldsDto;
}

function describe(fields: FieldErrors): string {
  return Object.entries(fields)
    .map(([field, messages]) => `${field}: ${messages.join(', ')}`)
    .join('; ');
}

/** The item's name as far as it can be told, for the error report. */
function reportedName(item: unknown): string | null {
  const name = (item as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name.trim().slice(0, AGENT_LIMITS.name) : null;
}

/**
 * Validates each item of a batch deploy on its own, through the same pipe and rules as a
 * single create (unknown fields refused, strings trimmed). Later items that repeat an
 * earlier item's name are refused too: one name is one agent.
 */
export async function validateBatchItems(
  items: unknown[],
): Promise<{ valid: ValidBatchItem[]; errors: BatchDeployErrorDto[] }> {
  const valid: ValidBatchItem[] = [];
  const errors: BatchDeployErrorDto[] = [];
  const firstIndexOfName = new Map<string, number>();
  const pipe = createValidationPipe();

  for (const [index, item] of items.entries()) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      errors.push({ index, name: null, error: 'Each agent must be a JSON object' });
      continue;
    }
    let fields: AgentFieldsDto;
    try {
      fields = await pipe.transform(item, { type: 'body', metatype: AgentFieldsDto });
    } catch (error) {
      if (!(error instanceof RequestValidationError)) throw error;
      const problems = error.errors ?? {};
      errors.push({
        index,
        name: reportedName(item),
        error: `Invalid agent: ${describe(problems)}`,
        fields: problems,
      });
      continue;
    }
    const first = firstIndexOfName.get(fields.name);
    if (first !== undefined) {
      errors.push({
        index,
        name: fields.name,
        error: `Duplicate name in batch: item ${first} already deploys "${fields.name}"`,
      });
      continue;
    }
    firstIndexOfName.set(fields.name, index);
    valid.push({ index, fields });
  }
  return { valid, errors };
}
