import type { AgentRow, ImportContext } from '../context';
import { LegacyImportError } from '../context';
import { importedId } from '../ids';
import { jsonArrayElements } from '../json-array-stream';

interface RegistryCapability {
  name?: unknown;
  description?: unknown;
  inputSchema?: unknown;
  outputSchema?: unknown;
}

/**
 * Seed 003's exported registry: a JSON array of AgentDescriptor. Liveness is not part of a
 * descriptor, so agents come in offline; `enabled` (default true) becomes is_active; version,
 * tags, category and config are kept in config.
 */
export async function importRegistryJson(
  ctx: ImportContext,
  path: string,
  projectId: string,
): Promise<void> {
  const table = ctx.report.table('agents');
  const bar = ctx.progress.start('agents', 0);
  const batch = ctx.agentBatch();
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
      if (d['id'] === undefined || d['id'] === null || String(d['id']).trim() === '')
        throw new LegacyImportError(`${path}: element ${index} has no id`);
      const legacyId = String(d['id']);
      const { id } = importedId(ctx.kind, projectId, 'agents', legacyId);
      const caps = Array.isArray(d['capabilities'])
        ? (d['capabilities'] as RegistryCapability[])
        : [];
      const details = caps
        .filter((c) => c && typeof c.name === 'string' && c.name.trim() !== '')
        .map((c) => ({
          name: String(c.name).trim(),
          description: typeof c.description === 'string' ? c.description : null,
          inputSchema: c.inputSchema ?? null,
          outputSchema: c.outputSchema ?? null,
        }));
      const dropped = caps.length - details.length;
      if (dropped > 0 || (d['capabilities'] !== undefined && !Array.isArray(d['capabilities']))) {
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
        ...(dropped > 0 || (d['capabilities'] !== undefined && !Array.isArray(d['capabilities']))
          ? { legacy_capabilities: d['capabilities'] }
          : {}),
      };
      const name =
        typeof d['name'] === 'string' && d['name'].trim() !== '' ? d['name'] : `Agent ${legacyId}`;
      const createdAt = ctx.time(d['deployedAt'], 'registry', legacyId, 'deployedAt', true);
      const row: AgentRow = {
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
        details: details.filter((c, i) => details.findIndex((x) => x.name === c.name) === i),
      };
      await batch.push(row);
      bar.advance(1);
    }
    await batch.flush();
  } finally {
    bar.stop();
  }
}
