/** The flags that name a system (design, layout, bounds), shared by explore, simulate, inspect and export. */
import { system, type System } from '../api/system';
import { InputError } from '../util/errors';
import type { FlagSpec, Parsed } from './args';

export const systemFlags: FlagSpec = {
  design: 'string',
  layout: 'string',
  cpus: 'int',
  hotplug: 'int',
  vms: 'int',
  'hotplug-from-boot': 'bool',
  'tlb-scope': 'string',
  'cpu-pm': 'int',
};

export function systemFrom(p: Parsed, command: string, defaults: { cpus?: number; hotplug?: number } = {}): System {
  const f = p.flags;
  if (f.design === undefined) throw new InputError(`hypsim ${command}: --design is required (hypsim list shows the designs)`);
  const cpus = (f.cpus as number | undefined) ?? defaults.cpus;
  if (cpus === undefined) throw new InputError(`hypsim ${command}: --cpus is required`);
  const scope = f['tlb-scope'] ?? 'volatile';
  if (scope !== 'volatile' && scope !== 'all') throw new InputError(`hypsim ${command}: --tlb-scope must be volatile or all, got "${scope}"`);
  return system({
    design: f.design as string,
    layout: f.layout as string | undefined,
    cpus,
    hotplug: (f.hotplug as number | undefined) ?? defaults.hotplug ?? 0,
    vms: (f.vms as number | undefined) ?? 0,
    hotplugFromBoot: f['hotplug-from-boot'] === true,
    cpuPm: (f['cpu-pm'] as number | undefined) ?? 0,
    tlbScope: scope,
  });
}

export function describeSystem(s: System): string {
  const h = s.header;
  return `${h.design} on ${h.layout ?? 'custom'}, ${h.cpus} CPUs, hotplug K=${h.hotplug}${h.hotplugFromBoot ? ' from boot' : ''}${h.cpuPm ? `, CPU PM ${h.cpuPm}` : ''}, ${h.vms} VM${h.vms === 1 ? '' : 's'}`;
}
