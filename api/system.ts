/**
 * `system(...)`: a HYP-init system from a design, a layout and bounds, or a custom one from your own
 * machines on the bus. What every entry point (CLI, API, Jest matchers, inspector) starts from.
 */
import { hypNarrator } from '../actors/hyp-narrator';
import { hypView } from '../actors/hyp-view';
import { buildHypSystem, checkBounds, type HypConfig } from '../actors/hyp-system';
import type { System } from '../actors/system';
import { Engine } from '../bus/engine';
import type { BusSpec } from '../bus/spec';
import { findDesign, type Design } from '../design/design';
import { knobDifference } from '../design/same';
import { resolveDesign } from '../design/resolve';
import { layoutPresets, resolveLayout, type Layout } from '../mmu/layout';
import { layoutDifference } from '../mmu/layout-same';
import { own } from '../util/own';
import { InputError } from '../util/errors';
import { readInputJson } from './input-file';

export interface HypSystemOptions {
  /** A preset or mutant name (`hypsim list`), a design file path, or a Design value. */
  design: string | Design;
  /** A preset ('collide', 'disjoint', 'arm64', 'arm64-highmem'), a layout file path, or a Layout value. Default: the design's, else 'collide'. */
  layout?: string | Layout;
  cpus: number;
  /** At most this many CPU-down operations (K). Default 0. */
  hotplug?: number;
  vms?: number;
  /** Hotplug may act while kvm_arch_init runs. */
  hotplugFromBoot?: boolean;
  /** At most this many deep-idle entries (CPU PM) in a run. Default 0. */
  cpuPm?: number;
  /** Track every VA in the TLBs instead of the volatile ones only (slower, same verdicts). */
  tlbScope?: 'volatile' | 'all';
}

export interface CustomSystemOptions<G = unknown> {
  /** Your machines, shared memory and invariants (see README "Your own machines"). */
  spec: BusSpec<G>;
}

export type { System, SystemHeader } from '../actors/system';

/** A name is a claim: a design or layout named after a preset must be that preset (output and trace files show names). */
function checkNames(design: Design, layout: Layout, cpus: number, vms: number): void {
  const preset = findDesign(design.name);
  const d = preset && knobDifference(preset, design);
  if (d) throw new InputError(`design "${design.name}" has a preset's name but not its knobs (${d}): give it a name of its own`);
  const lp = own(layoutPresets, layout.name);
  const l = lp && layoutDifference(lp.make(cpus, vms, design.hypVaMask), layout);
  if (l) throw new InputError(`layout "${layout.name}" has a preset's name but not its addresses (${l}): give it a name of its own`);
}

export function system(opts: HypSystemOptions | CustomSystemOptions): System {
  if ('spec' in opts) {
    const spec = opts.spec as BusSpec<unknown>;
    return {
      spec,
      header: { design: spec.name, layout: null, cpus: spec.actors.length, hotplug: 0, vms: 0, hotplugFromBoot: false, cpuPm: 0 },
      engine: (o) => new Engine(spec, o),
    };
  }
  if (typeof opts !== 'object' || opts === null) throw new InputError('system(): options must be an object');
  const cpus = opts.cpus;
  const hotplug = opts.hotplug ?? 0;
  const vms = opts.vms ?? 0;
  const cpuPm = opts.cpuPm ?? 0;
  checkBounds(cpus, hotplug, vms, cpuPm);
  const design = typeof opts.design === 'string' ? resolveDesign(opts.design, readInputJson) : opts.design;
  const layoutName = opts.layout ?? design.defaultLayout ?? 'collide';
  const layout = typeof layoutName === 'string' ? resolveLayout(layoutName, cpus, vms, design.hypVaMask, readInputJson) : layoutName;
  checkNames(design, layout, cpus, vms);
  const config: HypConfig = {
    design,
    layout,
    cpus,
    hotplug,
    vms,
    hotplugFromBoot: opts.hotplugFromBoot ?? false,
    tlbScope: opts.tlbScope ?? 'volatile',
    cpuPm,
  };
  const hyp = buildHypSystem(config);
  const spec = hyp.spec as BusSpec<unknown>;
  return {
    spec,
    hyp,
    narrator: hypNarrator(hyp),
    view: hypView(hyp),
    header: { design: design.name, layout: layout.name, cpus, hotplug, vms, hotplugFromBoot: config.hotplugFromBoot, cpuPm },
    engine: (o) => new Engine(spec, o),
  };
}
