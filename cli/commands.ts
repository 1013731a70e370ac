/** The hypsim subcommands behind one `main`. Bad input: one line on stderr, exit 2. The contract: docs/cli.md. */
import { InputError } from '../util/errors';
import { parseArgs } from './args';
import { demoCommand } from './demo-cmd';
import { exploreCommand, exploreHelp } from './explore-cmd';
import { exportCommand, exportHelp } from './export-cmd';
import { inspectCommand, inspectHelp } from './inspect-cmd';
import { listCommand, listHelp, simulateCommand, simulateHelp } from './other-cmds';
import type { Interrupt, Line } from './process';
import { replayCommand, replayHelp } from './replay-cmd';
import { workerCommand, workerHelp } from './worker-cmd';

export const demoHelp = `hypsim demo
  The legacy bug as a timeline, then the trampoline design verified (what npm start runs). No options.
exit: 0 both verdicts as expected, 1 otherwise`;

const usage = `hypsim — simulator and model checker for the Arm KVM HYP-init protocol

  hypsim demo                       the legacy bug as a timeline, then the trampoline design verified
  hypsim explore --design D ...     every interleaving (bfs/dfs) or samples (random/pct)
  hypsim simulate --design D ...    one live run on the RxJS bus, seeded
  hypsim replay FILE                re-execute a trace file and check it step by step
  hypsim list                       designs, mutants, layouts, invariants, knobs, profiles
  hypsim inspect [FILE] ...         a local web page: statecharts, registers, TLBs, page tables, step by step
  hypsim export --format F ...      a trace or the statecharts as Mermaid or DOT
  hypsim worker --redis URL         run seeds of random/pct swarms coordinated through Redis
  hypsim COMMAND --help             the options of one command

${exploreHelp}

${simulateHelp}

${replayHelp}

${inspectHelp}

${exportHelp}

${listHelp}

${demoHelp}

${workerHelp}`;

/** `demo` takes no options but --help (demo-cmd.ts belongs to the kernel model's demo). */
function demo(argv: readonly string[], out: Line): number {
  const p = parseArgs(argv, { help: 'bool' } as const, 'demo');
  if (p.flags.help) {
    out(demoHelp);
    return 0;
  }
  if (p.positional.length) throw new InputError(`hypsim demo: unexpected argument "${p.positional[0]}" (demo takes no arguments)`);
  return demoCommand([], out);
}

const stdoutLine: Line = (s) => process.stdout.write(`${s}\n`);
const stderrLine: Line = (s) => process.stderr.write(`${s}\n`);

export async function main(argv: readonly string[], out = stdoutLine, err = stderrLine, interrupt?: Interrupt): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'explore':
        return await exploreCommand(rest, out, err, interrupt);
      case 'simulate':
        return await simulateCommand(rest, out, err);
      case 'replay':
        return replayCommand(rest, out);
      case 'list':
        return listCommand(rest, out);
      case 'demo':
        return demo(rest, out);
      case 'inspect':
        return await inspectCommand(rest, out, err);
      case 'export':
        return await exportCommand(rest, out, err, interrupt);
      case 'worker':
        return await workerCommand(rest, out, err);
      case 'help':
      case '--help':
      case '-h':
        if (rest.length) throw new InputError(`hypsim ${cmd}: unexpected argument "${rest[0]}" (try hypsim COMMAND --help)`);
        out(usage);
        return 0;
      case undefined:
        // No command is a usage error: the usage goes to stderr, stdout stays empty.
        err(usage);
        return 2;
      default:
        throw new InputError(`unknown command "${cmd}" (demo, explore, simulate, replay, list, inspect, export, worker)`);
    }
  } catch (e) {
    if (e instanceof InputError) {
      err(e.message.startsWith('hypsim ') ? e.message : `hypsim: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
