export { McpModule } from './lib/mcp.module';
