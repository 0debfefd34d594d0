import type { ImportContext } from '../context';
import { LegacyImportError } from '../context';
import { agentBatch } from '../agents-writer';
import { importedId } from '../ids';
import { jsonArrayElements } from '../json-array-stream';

/** A capability of an AgentDescriptor, as the export may have it. */
interface RegistryCapability {
  name?: unknown;
  description?: unknown;
  inputSchema?: unknown;
  outputSchema?: unknown;
}

/** A descriptor's id as text; one neither text nor a number is an error naming the element. */
function descriptorId(descriptor: Record<string, unknown>, path: string, index: number): string {
  const id = descriptor['id'];
  if (id === undefined || id === null || (typeof id === 'string' && id.trim() === ''))
    throw new LegacyImportError(`${path}: element ${index} has no id`);
  if (typeof id !== 'string' && typeof id !== 'number')
    throw new LegacyImportError(
      `${path}: element ${index} has id ${JSON.stringify(id)}, which is neither text nor a number`,
    );
  return String(id);
}

/** A capability with a name: the others have no row of their own. */
function isNamed(c: unknown): c is RegistryCapability & { name: string } {
  if (typeof c !== 'object' || c === null) return false;
  const { name } = c as RegistryCapability;
  return typeof name === 'string' && name.trim() !== '';
}

/**
 * The in-memory registry's export (the A2A MCP server's): a JSON array of AgentDescriptor.
 * Liveness is not part of a descriptor, so agents come in offline; `enabled` (default true)
 * becomes is_active; version, tags, category and config are kept in config.
 */
export async function importRegistryJson(
  ctx: ImportContext,
  path: string,
  projectId: string,
): Promise<void> {
  const table = ctx.report.table('agents');
  const bar = ctx.progress.start('agents', 0);
  const batch = agentBatch(ctx);
  let index = 0;
  try {
    for await (const item of jsonArrayElements(path)) {
      index++;
      table.read++;
      if (!item || typeof item !== 'object' || Array.isArray(item))
        throw new LegacyImportError(
          `${path}: element ${index} is not an object (an AgentDescriptor was expected)`,
        );
      const d = item as Record<string, unknown>;
      const legacyId = descriptorId(d, path, index);
      const { id } = importedId(ctx.kind, projectId, 'agents', legacyId);
      const listed: unknown[] = Array.isArray(d['capabilities']) ? d['capabilities'] : [];
      const details = listed.filter(isNamed).map((c) => ({
        name: c.name.trim(),
        description: typeof c.description === 'string' ? c.description : null,
        inputSchema: c.inputSchema ?? null,
        outputSchema: c.outputSchema ?? null,
      }));
      // Capabilities without a name, or not a list, have no row of their own: kept as they were.
      const notKept =
        details.length < listed.length ||
        (d['capabilities'] !== undefined && !Array.isArray(d['capabilities']));
      if (notKept) {
        ctx.adjust({
          source_table: 'registry',
          legacy_id: legacyId,
          kind: 'value_not_kept',
          field: 'capabilities',
          from: d['capabilities'],
          to: details.map((c) => c.name),
          message:
            'capabilities without a name (or not a list) kept only in config.legacy_capabilities',
        });
      }
      const config: Record<string, unknown> = {
        ...(d['config'] && typeof d['config'] === 'object' && !Array.isArray(d['config'])
          ? (d['config'] as Record<string, unknown>)
          : {}),
        legacy_id: legacyId,
        legacy_source: ctx.kind,
        ...(d['version'] !== undefined ? { version: d['version'] } : {}),
        ...(d['tags'] !== undefined ? { tags: d['tags'] } : {}),
        ...(d['category'] !== undefined ? { category: d['category'] } : {}),
        ...(notKept ? { legacy_capabilities: d['capabilities'] } : {}),
      };
      const name =
        typeof d['name'] === 'string' && d['name'].trim() !== '' ? d['name'] : `Agent ${legacyId}`;
      const createdAt = ctx.time(d['deployedAt'], 'registry', legacyId, 'deployedAt', true);
      await batch.push({
        id,
        legacyId,
        sourceTable: 'registry',
        projectId,
        name: await ctx.uniqueName(projectId, id, name, 'registry', legacyId),
        agentType: typeof d['category'] === 'string' && d['category'] ? d['category'] : 'generic',
        status: 'offline',
        capabilities: [...new Set(details.map((c) => c.name))],
        config,
        isActive:
          d['enabled'] === undefined || d['enabled'] === null ? true : Boolean(d['enabled']),
        createdAt,
        updatedAt: createdAt,
        // One capability row per name: the first of a repeated name wins.
        details: details.filter((c, i) => details.findIndex((x) => x.name === c.name) === i),
      });
      bar.advance(1);
    }
    await batch.flush();
  } finally {
    bar.stop();
  }
}
