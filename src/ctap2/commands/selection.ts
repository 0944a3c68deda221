// authenticatorSelection (CTAP 2.1 §6.9): "touch the key you want to use".
import { requireUserPresence } from '../presence.js';
import type { CommandContext } from '../context.js';

export async function selection(ctx: CommandContext): Promise<void> {
  await requireUserPresence(ctx, { command: 'selection' });
}
