/** `hypsim replay FILE`: a trace file is evidence; re-execute it and confirm it only if every step holds. */
import { renderTimeline } from '../report/timeline';
import { readVerifiedTraceFile } from '../report/trace-file';
import { InputError } from '../util/errors';
import { parseArgs } from './args';
import { checkFlagsMatchTrace, describeSystem, systemFlags } from './system-flags';

export const replayHelp = `hypsim replay FILE [--design D --layout L --cpus N --hotplug K --vms M --cpu-pm K --tlb-scope S
              --hotplug-from-boot] [--json] [--quiet]
  Re-executes a trace file on the system it records and confirms it only if it is faithful: every
  delivery enabled where it stands and made exactly as recorded (none extra, missing or reordered),
  the recorded invariant and message reached exactly at the last step (a loop only where it really
  loops), names agreeing with knobs and addresses. System flags, if given, must describe that system
  (designs compare by knobs, layouts by addresses: a preset and an equal file are the same).
exit: 1 the recorded violation is reached, 0 the trace holds (no violation recorded, the run is over),
  2 a bad, edited or mismatched trace file (one line saying what is wrong)`;

const replayFlags = { ...systemFlags, json: 'bool', quiet: 'bool', help: 'bool' } as const;

export function replayCommand(argv: readonly string[], out: (s: string) => void): number {
  const { flags: f, positional } = parseArgs(argv, replayFlags, 'replay');
  if (f.help) {
    out(replayHelp);
    return 0;
  }
  if (positional.length !== 1) throw new InputError(`hypsim replay: give exactly one trace file, got ${positional.length} arguments`);
  if (f.json && f.quiet) throw new InputError('hypsim replay: --quiet does nothing with --json');
  const path = positional[0];
  const { file, sys, replayed: r } = readVerifiedTraceFile(path);
  checkFlagsMatchTrace(path, sys, f, 'replay');
  const steps = file.trace.length ? file.trace[file.trace.length - 1].step : 0;
  if (f.json)
    out(
      JSON.stringify({
        ...sys.header,
        result: r.violation ? 'violation' : 'ok',
        violation: r.violation,
        steps,
        ...(file.loop !== undefined ? { loop: file.loop } : {}),
      }),
    );
  else if (!f.quiet) {
    const verdict = r.violation ? `✗ ${r.violation.invariant} reached again at the last step` : 'no violation, as recorded';
    out(
      `${describeSystem(sys)} — replayed ${path}: ${steps} steps, each as recorded; ${verdict}
`,
    );
    out(renderTimeline(sys, r.trace, r.violation, { legend: true }));
  }
  return r.violation ? 1 : 0;
}
