/** `hypsim simulate`, `hypsim replay`, `hypsim list`. */
import { replay } from '../api/explore';
import { simulate } from '../actors/live';
import { knobDocs, knobs, laterMutants, mutants, presets } from '../design/design';
import { invariantDocs } from '../invariants/hyp';
import { layoutPresets } from '../mmu/layout';
import { profiles } from '../mmu/profile';
import { renderTimeline } from '../report/timeline';
import { readTraceFile, traceFileFor } from '../report/trace-file';
import { InputError, TraceError } from '../util/errors';
import { parseArgs } from './args';
import { describeSystem, systemFlags, systemFrom } from './system-flags';
import { writeTraceOut } from './trace-out';

export const simulateHelp = `hypsim simulate --design D --cpus N [--hotplug K] [--vms M] [--layout L] [--seed S] [--hotplug-from-boot] [--json] [--trace-out FILE]
  Runs one interleaving live (XState actors on the RxJS bus, seeded random delivery) to the end and prints
  a per-CPU timeline. Same seed, same run. --hotplug defaults to 0. --trace-out FILE: hypsim inspect FILE.
  exit: 0 no invariant broken, 1 one was, 2 bad input`;

export async function simulateCommand(argv: readonly string[], out: (s: string) => void, err: (s: string) => void = () => {}): Promise<number> {
  const p = parseArgs(argv, { ...systemFlags, seed: 'int', json: 'bool', 'trace-out': 'string', help: 'bool' }, 'simulate');
  if (p.flags.help) {
    out(simulateHelp);
    return 0;
  }
  if (p.positional.length) throw new InputError(`hypsim simulate: unexpected argument "${p.positional[0]}"`);
  const sys = systemFrom(p, 'simulate');
  const seed = (p.flags.seed as number | undefined) ?? 1;
  const r = await simulate(sys, { seed });
  if (typeof p.flags['trace-out'] === 'string') writeTraceOut('simulate', p.flags['trace-out'], traceFileFor(sys, r.violation, r.trace), err);
  if (p.flags.json) out(JSON.stringify({ ...sys.header, seed, result: r.violation ? 'violation' : 'ok', violation: r.violation, steps: r.steps, trace: r.trace }));
  else {
    out(`${describeSystem(sys)} — live run, seed ${seed}: ${r.steps} steps, ${r.violation ? `✗ ${r.violation.invariant}` : 'no invariant broken'}\n`);
    out(renderTimeline(sys, r.trace, r.violation, { legend: true }));
  }
  return r.violation ? 1 : 0;
}

export const replayHelp = `hypsim replay FILE [--design D --cpus N --hotplug K --layout L --vms M --hotplug-from-boot] [--json] [--quiet]
  Re-executes a trace file step by step on the system it records and reports the violation it reaches.
  System flags, if given, must match the file. exit: 1 the recorded violation is reached, 0 the trace
  holds (no violation recorded or reached), 2 bad or mismatched trace`;

export function replayCommand(argv: readonly string[], out: (s: string) => void): number {
  const p = parseArgs(argv, { ...systemFlags, json: 'bool', quiet: 'bool', help: 'bool' }, 'replay');
  if (p.flags.help) {
    out(replayHelp);
    return 0;
  }
  if (p.positional.length !== 1) throw new InputError('hypsim replay: give exactly one trace file');
  const { file, sys } = readTraceFile(p.positional[0]);
  const h = sys.header;
  const want: Record<string, unknown> = { design: h.design, layout: h.layout, cpus: h.cpus, hotplug: h.hotplug, vms: h.vms };
  for (const [k, v] of Object.entries(want))
    if (p.flags[k] !== undefined && p.flags[k] !== v) throw new TraceError(`trace file ${p.positional[0]} is for ${k} ${v}, not ${p.flags[k]}`);
  if (p.flags['hotplug-from-boot'] && !h.hotplugFromBoot) throw new TraceError(`trace file ${p.positional[0]} was recorded without --hotplug-from-boot`);
  const r = replay(sys, file.trace, file.loop);
  const got = r.violation?.invariant ?? null;
  const recorded = file.violation?.invariant ?? null;
  if (got !== recorded) throw new TraceError(`trace file ${p.positional[0]} records ${recorded ?? 'no violation'} but replays to ${got ?? 'no violation'}`);
  if (p.flags.json) out(JSON.stringify({ ...h, result: r.violation ? 'violation' : 'ok', violation: r.violation, steps: file.trace.length ? file.trace[file.trace.length - 1].step : 0 }));
  else if (!p.flags.quiet) {
    out(`${describeSystem(sys)} — replayed ${p.positional[0]}: ${r.violation ? `✗ ${r.violation.invariant} reached again` : 'no violation, as recorded'}\n`);
    out(renderTimeline(sys, r.trace, r.violation, { legend: true }));
  }
  return r.violation ? 1 : 0;
}

export function listCommand(out: (s: string) => void): number {
  const rows: string[] = [];
  const row = (kind: string, name: string, what: string) => rows.push(`${kind.padEnd(10)} ${name.padEnd(24)} ${what}`);
  // A description may already start with the kernel version ("v3.9: ..."): name it once.
  const what = (d: { kernel: string; description: string }) =>
    d.description.startsWith(d.kernel) && !/[\d.]/.test(d.description.charAt(d.kernel.length)) ? d.description : `${d.kernel}: ${d.description}`;
  for (const d of presets) row('design', d.name, what(d));
  for (const d of [...mutants, ...laterMutants]) row('mutant', d.name, what(d));
  for (const [name, l] of Object.entries(layoutPresets)) row('layout', name, l.description);
  for (const [id, text] of Object.entries(invariantDocs)) row('invariant', id, text);
  for (const k of knobs) row('knob', k, `${knobDocs[k].values} — ${knobDocs[k].meaning}`);
  for (const p of Object.values(profiles)) row('profile', p.name, `${p.httbr}, ${p.tlbi}, ${p.hsctlr}, ${p.hvbar} (${p.initFile})`);
  out(rows.join('\n'));
  return 0;
}
