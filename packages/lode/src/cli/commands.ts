/**
 * The client commands, each wrapped so failures map to exit codes (see run.ts). Each is
 * imported lazily, so `lode query` does not load the bench generator or the WebSocket client.
 */
import { clientCommand, type Command } from './run.js';

const lazy = (name: string, load: () => Promise<Command>): Command => clientCommand(name, async (argv) => (await load())(argv));

export const query = lazy('query', async () => (await import('./query.js')).queryCommand);
export const instant = lazy('instant', async () => (await import('./instant.js')).instantCommand);
export const labels = lazy('labels', async () => (await import('./labels.js')).labelsCommand);
export const series = lazy('series', async () => (await import('./series.js')).seriesCommand);
export const stats = lazy('stats', async () => (await import('./stats.js')).statsCommand);
export const tail = lazy('tail', async () => (await import('./tail.js')).tailCommand);
export const push = lazy('push', async () => (await import('./push.js')).pushCommand);
export const bench = lazy('bench', async () => (await import('./bench/command.js')).benchCommand);
