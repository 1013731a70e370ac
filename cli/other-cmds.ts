/** `hypsim simulate`, `hypsim list`. */
import { checkWritable } from '../api/output-file';
import { simulate } from '../actors/live';
import { knobDocs, knobs, laterMutants, mutants, presets } from '../design/design';
import { invariantDocs } from '../invariants/hyp';
import { layoutPresets } from '../mmu/layout';
import { profiles } from '../mmu/profile';
import { renderTimeline } from '../report/timeline';
import { traceFileFor } from '../report/trace-file';
import { InputError } from '../util/errors';
import { parseArgs } from './args';
import { describeSystem, systemFlags, systemFrom } from './system-flags';
import { writeTraceOut } from './trace-out';

export const simulateHelp = `hypsim simulate --design D --cpus N [--hotplug K] [--vms M] [--layout L] [--cpu-pm K] [--tlb-scope S]
                [--seed S (0 to 4294967295)] [--hotplug-from-boot] [--json] [--trace-out FILE]
  Runs one interleaving live (XState actors on the RxJS bus, seeded random delivery) to the end and prints
  a per-CPU timeline. Same seed, same run. --hotplug defaults to 0. --trace-out FILE: hypsim inspect FILE.
  exit: 0 no invariant broken, 1 one was, 2 bad input`;

const simulateFlags = { ...systemFlags, seed: 'seed', json: 'bool', 'trace-out': 'string', help: 'bool' } as const;

export async function simulateCommand(argv: readonly string[], out: (s: string) => void, err: (s: string) => void = () => {}): Promise<number> {
  const { flags: f, positional } = parseArgs(argv, simulateFlags, 'simulate');
  if (f.help) {
    out(simulateHelp);
    return 0;
  }
  if (positional.length) throw new InputError(`hypsim simulate: unexpected argument "${positional[0]}"`);
  const sys = systemFrom(f, 'simulate');
  if (f['trace-out'] !== undefined) checkWritable(f['trace-out'], 'trace file');
  const seed = f.seed ?? 1;
  const r = await simulate(sys, { seed });
  if (f.json) out(JSON.stringify({ ...sys.header, seed, result: r.violation ? 'violation' : 'ok', violation: r.violation, steps: r.steps, trace: r.trace }));
  else {
    out(`${describeSystem(sys)} — live run, seed ${seed}: ${r.steps} steps, ${r.violation ? `✗ ${r.violation.invariant}` : 'no invariant broken'}\n`);
    out(renderTimeline(sys, r.trace, r.violation, { legend: true }));
  }
  if (f['trace-out'] !== undefined) writeTraceOut('simulate', f['trace-out'], traceFileFor(sys, r.violation, r.trace), err);
  return r.violation ? 1 : 0;
}

export const listHelp = `hypsim list
  Every design, mutant, layout, invariant, knob and profile, one a line. No options.
exit: 0`;

export function listCommand(argv: readonly string[], out: (s: string) => void): number {
  const p = parseArgs(argv, { help: 'bool' } as const, 'list');
  if (p.flags.help) {
    out(listHelp);
    return 0;
  }
  if (p.positional.length) throw new InputError(`hypsim list: unexpected argument "${p.positional[0]}" (list takes no arguments)`);
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
