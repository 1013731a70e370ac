/**
 * The one trace re-executor: walks a recorded trace on a system and yields, per step, the state before,
 * the step taken with every delivery it made, and the state after. Replay, shrinking, the timeline and
 * the inspector read traces through it, so what counts as a faithful trace is decided here alone.
 *
 * Strict mode (evidence): step numbers run 1, 2, 3, … with every delivery of a step together; each step's
 * first delivery must be enabled where it stands; every delivery the step makes, including the ones it
 * causes synchronously and what it read of shared memory, must be recorded exactly, and nothing else.
 * Lenient mode (shrinking): a recorded step that is not enabled is skipped; caused deliveries are not compared.
 */
import type { TraceEntry } from '../bus/trace';
import { stableStringify } from '../util/stable';
import { TraceError } from '../util/errors';
import type { Checkable, Delivery, Step, World } from './checkable';
import { findStep } from './match';
import { deliveriesToEntries } from './trace-builder';

export interface ExecutedStep<W extends World = World> {
  /** The step's number in the re-executed run (1-based). */
  readonly step: number;
  /** The recorded delivery that chose the step. */
  readonly entry: TraceEntry;
  readonly before: W;
  readonly taken: Step;
  /** Every delivery the step made, the chosen one first. */
  readonly deliveries: readonly Delivery[];
  readonly after: W;
}

export type ReexecuteMode = 'strict' | 'lenient';

const describe = (e: TraceEntry) => `${e.from === e.to ? e.to : `${e.from} → ${e.to}`} ${e.event}`;

/** The recorded entries grouped by step number; strict mode refuses gaps, reordering and interleaved steps. */
export function stepGroups(trace: readonly TraceEntry[], mode: ReexecuteMode): TraceEntry[][] {
  const groups: TraceEntry[][] = [];
  for (const [i, e] of trace.entries()) {
    const last = groups.at(-1);
    if (last && last[0].step === e.step) last.push(e);
    else {
      if (mode === 'strict' && e.step !== groups.length + 1)
        throw new TraceError(`trace entry ${i} is numbered step ${e.step} where step ${groups.length + 1} was due: steps are missing, reordered or duplicated`);
      groups.push([e]);
    }
  }
  return groups;
}

function checkCaused<W extends World>(sys: Checkable<W>, group: readonly TraceEntry[], made: readonly Delivery[]): void {
  const step = group[0].step;
  const got = deliveriesToEntries(sys, [made as Delivery[]]).map((e) => ({ ...e, step }));
  for (let k = 0; k < Math.max(got.length, group.length); k++) {
    const want = group[k];
    const real = got[k];
    if (!real) throw new TraceError(`trace step ${step} records a delivery the step does not make: ${describe(want)}`);
    if (!want) throw new TraceError(`trace step ${step} leaves out the delivery ${describe(real)} that the step makes`);
    if (stableStringify(want) !== stableStringify(real))
      throw new TraceError(
        `trace step ${step} records ${describe(want)} ${stableStringify(want.payload)}, ` +
          `but the step delivers ${describe(real)} ${stableStringify(real.payload)}`,
      );
  }
}

/**
 * Re-execution one step at a time, for a trace that arrives as it is made (the inspector's live view):
 * `step` takes the recorded deliveries of the next step and checks them exactly as `reexecute` does.
 */
export class Reexecution<W extends World = World> {
  /** The state after the steps applied so far. */
  world: W;
  /** Steps applied so far. */
  steps = 0;

  constructor(
    private readonly sys: Checkable<W>,
    private readonly mode: ReexecuteMode = 'strict',
  ) {
    this.world = sys.initial();
  }

  /** Apply the step whose deliveries are `group` (one step number); lenient mode returns null for a step not enabled. */
  step(group: readonly TraceEntry[]): ExecutedStep<W> | null {
    const entry = group[0];
    if (this.mode === 'strict' && (entry.step !== this.steps + 1 || group.some((e) => e.step !== entry.step)))
      throw new TraceError(`trace step ${entry.step} arrives where step ${this.steps + 1} was due: steps are missing, reordered or duplicated`);
    const taken = findStep(this.sys, this.sys.enabled(this.world), entry);
    if (!taken) {
      if (this.mode === 'lenient') return null;
      throw new TraceError(
        `trace step ${entry.step} (${describe(entry)}) is not enabled here: the trace is for another design, layout or bounds, or was edited`,
      );
    }
    const deliveries: Delivery[] = [];
    const before = this.world;
    this.world = this.sys.apply(before, taken, deliveries);
    if (this.mode === 'strict') checkCaused(this.sys, group, deliveries);
    return { step: ++this.steps, entry, before, taken, deliveries, after: this.world };
  }
}

/** Re-execute `trace` on `sys` from its initial state; the generator returns the final state. */
export function* reexecute<W extends World>(
  sys: Checkable<W>,
  trace: readonly TraceEntry[],
  mode: ReexecuteMode = 'strict',
): Generator<ExecutedStep<W>, W, void> {
  const run = new Reexecution(sys, mode);
  for (const group of stepGroups(trace, mode)) {
    const done = run.step(group);
    if (done) yield done;
  }
  return run.world;
}
