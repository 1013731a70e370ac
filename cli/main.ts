#!/usr/bin/env node
/**
 * The hypsim executable. The subcommands (cli/commands.ts) load only where they run: a search runs in a
 * worker thread (cli/process.ts), so the main thread, which only relays signals and output, stays light.
 */
import { runCli } from './process';

export { main } from './commands';

if (require.main === module) runCli(() => (require('./commands') as typeof import('./commands')).main, __filename);
