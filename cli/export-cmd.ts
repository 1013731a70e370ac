/**
 * `hypsim export`: a trace as a Mermaid sequence diagram (or a DOT digraph, a lane per actor), the statecharts as a Mermaid
 * stateDiagram-v2 or a DOT digraph, generated from the XState definitions. To stdout or --out FILE.
 */
import { simulate } from '../actors/live';
import { explore } from '../api/explore';
import { checkWritable, writeFileAtomic } from '../api/output-file';
import type { System } from '../api/system';
import type { TraceEntry } from '../bus/trace';
import { chartsToDot, traceToDot } from '../report/dot';
import { chartsToMermaid, systemCharts, traceToMermaid } from '../report/mermaid';
import { readVerifiedTraceFile } from '../report/trace-file';
import { InputError } from '../util/errors';
import { parseArgs, refuseFlags } from './args';
import type { Interrupt } from './process';
import { checkFlagsMatchTrace, systemFlags, systemFrom } from './system-flags';

export const exportHelp = `hypsim export --format mermaid|dot [--what trace|states] (TRACE.json | --design D --cpus N ...) [--out FILE]
  --format F            mermaid | dot
  --what W              trace: the deliveries (Mermaid sequenceDiagram, or a DOT digraph with a lane per
                        actor), translations labelled TLB hit / STALE TLB hit / walk; states: the
                        statecharts (Mermaid stateDiagram-v2, or a DOT digraph). Default: trace for a
                        trace file, states for system flags
  --machine M           states: cpu | kernel | hotplug | vm | all (default: cpu and kernel)
  --seed S              trace from flags: the explorer's counterexample, or else a live run with seed S
                        (0 to 4294967295)
  --max-seconds T       trace from flags: give up exploring after T seconds (default 60)
  --out FILE            write there instead of stdout
  Ctrl-C or SIGTERM while it explores: nothing is written (exit 3).
exit: 0 written, 2 bad input, 3 interrupted while exploring`;

export async function exportCommand(argv: readonly string[], out: (s: string) => void, err: (s: string) => void, interrupt?: Interrupt): Promise<number> {
  const spec = {
    ...systemFlags,
    format: 'string',
    what: 'string',
    machine: 'string',
    seed: 'seed',
    'max-seconds': 'number',
    out: 'string',
    help: 'bool',
  } as const;
  const p = parseArgs(argv, spec, 'export');
  const f = p.flags;
  if (f.help) {
    out(exportHelp);
    return 0;
  }
  const format = f.format;
  if (format === undefined) throw new InputError('hypsim export: --format is required (mermaid or dot)');
  if (format !== 'mermaid' && format !== 'dot') throw new InputError(`hypsim export: --format must be mermaid or dot, got "${format}"`);
  if (p.positional.length > 1) throw new InputError(`hypsim export: give at most one trace file, got ${p.positional.length} arguments`);
  const file = p.positional[0];
  const what = (f.what as string | undefined) ?? (file ? 'trace' : 'states');
  if (what !== 'trace' && what !== 'states') throw new InputError(`hypsim export: --what must be trace or states, got "${what}"`);
  const machine = (f.machine as string | undefined) ?? 'default';
  if (!['default', 'all', 'cpu', 'kernel', 'hotplug', 'vm'].includes(machine))
    throw new InputError(`hypsim export: --machine must be cpu, kernel, hotplug, vm or all, got "${machine}"`);
  if (f['max-seconds'] !== undefined && f['max-seconds'] <= 0) throw new InputError(`hypsim export: --max-seconds must be positive, got ${f['max-seconds']}`);
  if (file) refuseFlags('export', f, ['seed', 'max-seconds'], 'with a trace file (they choose the trace to export from system flags)');
  if (what === 'states') refuseFlags('export', f, ['seed', 'max-seconds'], 'with --what states');
  if (what === 'trace') refuseFlags('export', f, ['machine'], 'with --what trace');
  if (f.out !== undefined) checkWritable(f.out, 'export file');

  let sys: System;
  let trace: TraceEntry[] | null = null;
  let violation: { invariant: string; message: string } | null = null;
  if (file) {
    // A trace is exported only once it has replayed faithfully: an edited one is refused like by replay.
    const read = readVerifiedTraceFile(file);
    checkFlagsMatchTrace(file, read.sys, f, 'export');
    sys = read.sys;
    trace = read.file.trace;
    violation = read.file.violation;
  } else sys = systemFrom(f, 'export');

  let text: string;
  if (what === 'states') {
    const charts = machine === 'default' ? [...systemCharts(sys, 'cpu'), ...systemCharts(sys, 'kernel')] : systemCharts(sys, machine);
    if (!charts.length) throw new InputError(`hypsim export: this system has no ${machine} machine`);
    text = format === 'mermaid' ? chartsToMermaid(charts) : chartsToDot(charts);
  } else {
    if (!trace) {
      const r = explore(sys, { maxSeconds: f['max-seconds'] ?? 60, interrupt });
      // Interrupted: the user asked to stop, not for a live run in place of the counterexample.
      if (r.result === 'incomplete' && r.stoppedBy === 'interrupted') {
        err('hypsim export: interrupted while exploring; nothing exported');
        return 3;
      }
      if (r.violation) {
        trace = r.violation.trace;
        violation = { invariant: r.violation.invariant, message: r.violation.message };
      } else {
        const seed = f.seed ?? 1;
        err(`hypsim export: ${r.result === 'verified' ? 'verified, no counterexample' : 'no counterexample found'}; exporting a live run, seed ${seed}`);
        const live = await simulate(sys, { seed });
        trace = live.trace;
        violation = live.violation;
      }
    }
    text = format === 'mermaid' ? traceToMermaid(sys, trace, violation) : traceToDot(sys, trace, violation);
  }

  if (f.out !== undefined) writeFileAtomic(f.out, text, 'export file');
  else process.stdout.write(text);
  return 0;
}
