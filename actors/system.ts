/**
 * What every entry point (CLI, API, Jest matchers, inspector) starts from: a bus spec, what the JSON
 * header says of it, the HYP model behind it (HYP systems only), and a fresh engine per run.
 * Built by `system(...)` in api/system.ts; declared here so that the model layer can take it too.
 */
import type { AnyMachineSnapshot } from 'xstate';
import type { Delivery, Engine } from '../bus/engine';
import type { Checkable } from '../explore/checkable';
import type { BusSpec } from '../bus/spec';
import type { HypSystem } from './hyp-system';
import type { ModelView } from './model-view';

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
  /** Tells each delivery of a trace in the model's own words (HYP systems); without one, reports print payloads. */
  readonly narrator?: Narrator;
  /** What the inspector page and exports show of the model's state (HYP systems); without one, contexts as text. */
  readonly view?: ModelView;
  /**
   * The HYP model behind it, for HYP systems: for the model's own code (scenarios, swarm workers). Front ends ask
   * `narrator` and `view`, and api/recipe.ts for what rebuilds the system.
   */
  readonly hyp?: HypSystem;
  /** A fresh engine (dictionaries, memo tables) with the given reductions. */
  engine(opts?: { symmetry?: boolean }): Engine<unknown>;
}

/** One delivery told in the model's words, with the kernel code it stands for where known. */
export interface NarratedLine {
  readonly text: string;
  readonly cite?: string;
}

/** A report-only interface: what the timeline asks of a model to tell a trace (actors/hyp-narrator.ts). */
export interface Narrator {
  /** A fresh narration of one trace, re-executed on `engine` (it may remember earlier steps). */
  start(engine: Checkable): Narration;
}

export interface Narration {
  /** The words for delivery `d` of step `step`, given its actor's snapshots before and after; undefined: print the payload. */
  line(step: number, d: Delivery, before: AnyMachineSnapshot, after: AnyMachineSnapshot): NarratedLine | undefined;
}
