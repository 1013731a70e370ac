/**
 * What every entry point (CLI, API, Jest matchers, inspector) starts from: a bus spec, what the JSON
 * header says of it, the HYP model behind it (HYP systems only), and a fresh engine per run.
 * Built by `system(...)` in api/system.ts; declared here so that the model layer can take it too.
 */
import type { Engine } from '../bus/engine';
import type { BusSpec } from '../bus/spec';
import type { HypSystem } from './hyp-system';

/** What the JSON header says about the system. */
export interface SystemHeader {
  design: string;
  layout: string | null;
  cpus: number;
  hotplug: number;
  vms: number;
  hotplugFromBoot: boolean;
  cpuPm: number;
}

export interface System {
  readonly spec: BusSpec<unknown>;
  readonly header: SystemHeader;
  /** The HYP model behind it, for HYP systems. */
  readonly hyp?: HypSystem;
  /** A fresh engine (dictionaries, memo tables) with the given reductions. */
  engine(opts?: { symmetry?: boolean }): Engine<unknown>;
}
