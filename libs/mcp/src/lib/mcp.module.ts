import { Module } from '@nestjs/common';
import { AuthModule } from '@agenthub/auth';
import { RestDispatcher } from '@agenthub/http';
import { McpController } from './mcp.controller';
import { McpServerFactory } from './mcp-server.factory';
import { McpSessionRepository } from './mcp-session.repository';
import { McpStreams } from './mcp-streams';

/**
 * The MCP server at /mcp: AgentHub's work loop as tools and resources, each a REST
 * operation called in-process as the caller. The events lib (global) feeds the resource
 * notifications.
 */
@Module({
  imports: [AuthModule],
  controllers: [McpController],
  providers: [RestDispatcher, McpServerFactory, McpSessionRepository, McpStreams],
  exports: [McpStreams],
})
export class McpModule {}
