import type { ImportContext } from '../context';
import { LegacyImportError } from '../context';

export async function importAgentCom(_ctx: ImportContext, _path: string): Promise<void> {
  throw new LegacyImportError('agent-com: not implemented yet');
}
