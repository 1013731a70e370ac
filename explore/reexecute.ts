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

/** Re-execute `trace` on `sys` from its initial state; the generator returns the final state. */
export function* reexecute<W extends World>(
  sys: Checkable<W>,
  trace: readonly TraceEntry[],
  mode: ReexecuteMode = 'strict',
): Generator<ExecutedStep<W>, W, void> {
  let world = sys.initial();
  let n = 0;
  for (const group of stepGroups(trace, mode)) {
    const entry = group[0];
    const taken = findStep(sys, sys.enabled(world), entry);
    if (!taken) {
      if (mode === 'lenient') continue;
      throw new TraceError(
        `trace step ${entry.step} (${describe(entry)}) is not enabled here: the trace is for another design, layout or bounds, or was edited`,
      );
    }
    const deliveries: Delivery[] = [];
    const before = world;
    world = sys.apply(world, taken, deliveries);
    if (mode === 'strict') checkCaused(sys, group, deliveries);
    yield { step: ++n, entry, before, taken, deliveries, after: world };
  }
  return world;
}
