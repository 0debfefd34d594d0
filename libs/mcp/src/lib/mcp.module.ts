import { Module } from '@nestjs/common';

/** The MCP server at /mcp: AgentHub's work loop as tools and resources. */
@Module({})
export class McpModule {}
