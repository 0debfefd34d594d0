import type { ImportContext } from './context';
import { derivedId } from './ids';
import { Batch } from './sql-writer';
import { AGENT_CAPABILITIES, AgentCapabilityRow, AgentRow, AGENTS } from './target-tables';
import { AGENT_STATUS, parseCapabilities } from './values';

/** The confidence of a capability the source gave none for. */
const DEFAULT_CONFIDENCE = 0.5;

/**
 * An agent's capabilities as the phase-1 platform and the broker store them (see
 * parseCapabilities): text that is not JSON is kept in config.legacy_capabilities, the object
 * form gives confidences; the adjustments are reported.
 */
export function agentCapabilities(
  ctx: ImportContext,
  raw: unknown,
  sourceTable: string,
  legacyId: string,
  config: Record<string, unknown>,
) {
  const caps = parseCapabilities(raw);
  if (caps.verbatim !== null) {
    config['legacy_capabilities'] = caps.verbatim;
    ctx.adjust({
      source_table: sourceTable,
      legacy_id: legacyId,
      kind: 'capabilities_not_json',
      field: 'capabilities',
      from: caps.verbatim,
      to: caps.names,
      message:
        'capabilities are not a JSON list or object; kept verbatim in config.legacy_capabilities, names split on commas',
    });
  }
  for (const c of caps.clamped) {
    ctx.adjust({
      source_table: sourceTable,
      legacy_id: legacyId,
      kind: 'capability_confidence_clamped',
      field: `capabilities.${c.name}`,
      from: c.from,
      to: c.to,
      message: `confidence ${c.from} of "${c.name}" stored as ${c.to} (0..1, two decimals)`,
    });
  }
  return {
    names: caps.names,
    details: caps.names.map((name) => ({ name, confidence: caps.confidences.get(name) })),
  };
}

/** An agent's status through the mapping table; a changed one keeps its original in config. */
export function agentStatus(
  ctx: ImportContext,
  raw: unknown,
  sourceTable: string,
  legacyId: string,
  config: Record<string, unknown>,
): string {
  const status = ctx.mapEnum(AGENT_STATUS, raw, sourceTable, legacyId, 'status');
  if (status.changed) config['legacy_status'] = status.original;
  return status.value;
}

/** Writes agents, then the agent_capabilities rows of their details. */
export async function writeAgents(ctx: ImportContext, rows: readonly AgentRow[]): Promise<void> {
  await ctx.write(AGENTS, rows, {
    sourceTable: rows[0]?.sourceTable,
    checkExisting: ctx.assertStagedSameProject('agents'),
  });
  const details = rows.flatMap((agent) =>
    agent.details.map((d): AgentCapabilityRow => ({
      id: derivedId('agent-capability', agent.id, d.name),
      agentId: agent.id,
      name: d.name,
      confidence: d.confidence ?? DEFAULT_CONFIDENCE,
      description: d.description ?? null,
      inputSchema: d.inputSchema,
      outputSchema: d.outputSchema,
    })),
  );
  ctx.report.table(AGENT_CAPABILITIES.name).read += details.length;
  await ctx.write(AGENT_CAPABILITIES, details);
}

export function agentBatch(ctx: ImportContext): Batch<AgentRow> {
  return ctx.batchOf(AGENTS, (rows) => writeAgents(ctx, rows));
}
