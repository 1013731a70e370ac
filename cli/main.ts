#!/usr/bin/env node
/** The hypsim command line. Bad input: one line on stderr, exit 2. */
import { InputError } from '../util/errors';
import { demoCommand } from './demo-cmd';
import { exploreCommand, exploreHelp } from './explore-cmd';
import { exportCommand, exportHelp } from './export-cmd';
import { inspectCommand, inspectHelp } from './inspect-cmd';
import { listCommand, replayCommand, replayHelp, simulateCommand, simulateHelp } from './other-cmds';
import { workerCommand, workerHelp } from './worker-cmd';

const usage = `hypsim — simulator and model checker for the Arm KVM HYP-init protocol

  hypsim demo                       the legacy bug as a timeline, then the trampoline design verified
  hypsim explore --design D ...     every interleaving (bfs/dfs) or samples (random/pct)
  hypsim simulate --design D ...    one live run on the RxJS bus, seeded
  hypsim replay FILE                re-execute a trace file
  hypsim list                       designs, mutants, layouts, invariants, knobs, profiles
  hypsim inspect [FILE] ...         a local web page: statecharts, registers, TLBs, page tables, step by step
  hypsim export --format F ...      a trace or the statecharts as Mermaid or DOT
  hypsim worker --redis URL         run seeds of random/pct swarms coordinated through Redis

${exploreHelp}

${simulateHelp}

${replayHelp}

${inspectHelp}

${exportHelp}

${workerHelp}`;

export async function main(argv: readonly string[], out = (s: string) => process.stdout.write(s + '\n'), err = (s: string) => process.stderr.write(s + '\n')): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'explore':
        return await exploreCommand(rest, out, err);
      case 'simulate':
        return await simulateCommand(rest, out);
      case 'replay':
        return replayCommand(rest, out);
      case 'list':
        return listCommand(out);
      case 'demo':
        return demoCommand(rest, out);
      case 'inspect':
        return await inspectCommand(rest, out, err);
      case 'export':
        return await exportCommand(rest, out, err);
      case 'worker':
        return await workerCommand(rest, out, err);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(usage);
        return cmd === undefined ? 2 : 0;
      default:
        throw new InputError(`unknown command "${cmd}" (demo, explore, simulate, replay, list, inspect, export, worker)`);
    }
  } catch (e) {
    if (e instanceof InputError) {
      err(`hypsim: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    // Exit once stdout and stderr have drained, so a long timeline piped to a slow reader arrives whole.
    (code) => {
      process.exitCode = code;
      process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
    },
    (e) => {
      process.stderr.write(`hypsim: internal error: ${(e as Error).stack ?? e}\n`);
      process.exit(70);
    },
  );
}
