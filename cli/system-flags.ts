/** The flags that name a system (design, layout, bounds), shared by explore, simulate, inspect, export and replay. */
import { readInputJson } from '../api/input-file';
import { requireRecipe } from '../api/recipe';
import { system, type System } from '../api/system';
import { resolveDesign } from '../design/resolve';
import { knobDifference } from '../design/same';
import { resolveLayout } from '../mmu/layout';
import { layoutDifference } from '../mmu/layout-same';
import { InputError, TraceError } from '../util/errors';
import type { Flags } from './args';

export const systemFlags = {
  design: 'string',
  layout: 'string',
  cpus: 'int',
  hotplug: 'int',
  vms: 'int',
  'hotplug-from-boot': 'bool',
  'tlb-scope': 'string',
  'cpu-pm': 'int',
} as const;

export type SystemFlags = Flags<typeof systemFlags>;

function tlbScope(f: SystemFlags, command: string): 'volatile' | 'all' | undefined {
  const scope = f['tlb-scope'];
  if (scope !== undefined && scope !== 'volatile' && scope !== 'all')
    throw new InputError(`hypsim ${command}: --tlb-scope must be volatile or all, got "${scope}"`);
  return scope;
}

export function systemFrom(f: SystemFlags, command: string, defaults: { cpus?: number; hotplug?: number } = {}): System {
  if (f.design === undefined) throw new InputError(`hypsim ${command}: --design is required (hypsim list shows the designs)`);
  const cpus = f.cpus ?? defaults.cpus;
  if (cpus === undefined) throw new InputError(`hypsim ${command}: --cpus is required`);
  return system({
    design: f.design,
    layout: f.layout,
    cpus,
    hotplug: f.hotplug ?? defaults.hotplug ?? 0,
    vms: f.vms ?? 0,
    hotplugFromBoot: f['hotplug-from-boot'] === true,
    cpuPm: f['cpu-pm'] ?? 0,
    tlbScope: tlbScope(f, command) ?? 'volatile',
  });
}

/**
 * System flags given beside a trace file must describe the system the trace records: designs compare by
 * knobs and layouts by addresses (a preset and an equal file are the same), bounds and options by value.
 */
export function checkFlagsMatchTrace(path: string, sys: System, f: SystemFlags, command: string): void {
  const c = requireRecipe(sys, `trace file ${path}`);
  const differ = (what: string, recorded: unknown, given: unknown): never => {
    throw new TraceError(`trace file ${path} is for ${what} ${recorded}, not ${given}`);
  };
  const bounds: [keyof SystemFlags, unknown, unknown][] = [
    ['cpus', f.cpus, c.cpus],
    ['hotplug', f.hotplug, c.hotplug],
    ['vms', f.vms, c.vms],
    ['cpu-pm', f['cpu-pm'], c.cpuPm ?? 0],
    ['tlb-scope', tlbScope(f, command), c.tlbScope],
  ];
  for (const [flag, given, recorded] of bounds) if (given !== undefined && given !== recorded) differ(flag, recorded, given);
  if (f['hotplug-from-boot'] && !c.hotplugFromBoot) throw new TraceError(`trace file ${path} was recorded without --hotplug-from-boot`);
  if (f.design !== undefined) {
    const d = knobDifference(c.design, resolveDesign(f.design, readInputJson));
    if (d) differ('design', `${c.design.name}`, `${f.design} (${d})`);
  }
  if (f.layout !== undefined) {
    const l = layoutDifference(c.layout, resolveLayout(f.layout, c.cpus, c.vms, c.design.hypVaMask, readInputJson));
    if (l) differ('layout', c.layout.name, `${f.layout} (${l})`);
  }
}

export function describeSystem(s: System): string {
  const h = s.header;
  return (
    `${h.design} on ${h.layout ?? 'custom'}, ${h.cpus} CPUs, hotplug ` +
    `K=${h.hotplug}${h.hotplugFromBoot ? ' from boot' : ''}${h.cpuPm ? `, CPU PM ${h.cpuPm}` : ''}, ${h.vms} VM${h.vms === 1 ? '' : 's'}`
  );
}
