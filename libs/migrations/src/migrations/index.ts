import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122000000_baseline } from './Migration20261122000000_baseline';
import { Migration20261122010000_identity } from './Migration20261122010000_identity';
import { Migration20261122020000_agents } from './Migration20261122020000_agents';
import { Migration20261122030000_tasks } from './Migration20261122030000_tasks';
import { Migration20261122040000_messaging } from './Migration20261122040000_messaging';
import { Migration20261122050000_legacy_columns } from './Migration20261122050000_legacy_columns';
import { Migration20261201000000_message_delivery_events } from './Migration20261201000000_message_delivery_events';
import { Migration20261202000000_workflows } from './Migration20261202000000_workflows';
import { Migration20261203000000_agent_performance } from './Migration20261203000000_agent_performance';
import { Migration20261204000000_mcp_sessions } from './Migration20261204000000_mcp_sessions';
import { Migration20261204010000_task_parts } from './Migration20261204010000_task_parts';
import { Migration20261205000000_access_notify } from './Migration20261205000000_access_notify';

/**
 * Every migration, in order. Listed by hand (no glob) so the bundled apps and the tests
 * see exactly the same list. Add new ones at the end.
 */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261122000000_baseline', class: Migration20261122000000_baseline },
  { name: 'Migration20261122010000_identity', class: Migration20261122010000_identity },
  { name: 'Migration20261122020000_agents', class: Migration20261122020000_agents },
  { name: 'Migration20261122030000_tasks', class: Migration20261122030000_tasks },
  { name: 'Migration20261122040000_messaging', class: Migration20261122040000_messaging },
  { name: 'Migration20261122050000_legacy_columns', class: Migration20261122050000_legacy_columns },
  {
    name: 'Migration20261201000000_message_delivery_events',
    class: Migration20261201000000_message_delivery_events,
  },
  { name: 'Migration20261202000000_workflows', class: Migration20261202000000_workflows },
  {
    name: 'Migration20261203000000_agent_performance',
    class: Migration20261203000000_agent_performance,
  },
  { name: 'Migration20261204000000_mcp_sessions', class: Migration20261204000000_mcp_sessions },
  { name: 'Migration20261204010000_task_parts', class: Migration20261204010000_task_parts },
  { name: 'Migration20261205000000_access_notify', class: Migration20261205000000_access_notify },
];
