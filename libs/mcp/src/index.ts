export { McpModule } from './lib/mcp.module';
export { McpStreams } from './lib/mcp-streams';
export {
  BRIDGE_USAGE,
  BridgeUsageError,
  parseBridgeArgs,
  runStdioBridge,
} from './lib/stdio-bridge';
export type { BridgeOptions } from './lib/stdio-bridge';
