/** What a scenario search says about the scenario: did the pinned schedule ever complete, and if not, where it stuck. */
import type { PinnedStep } from './scenario';
import { describePinned } from './scenario';
import type { ScenarioObservations } from './product';
import type { CompiledScenario } from './validate';

export interface ScenarioReport {
  readonly description?: string;
  /** The pinned steps, each with its predecessors explicit. */
  readonly steps: readonly (PinnedStep & { readonly after: readonly number[] })[];
  /** Where invariants were checked. */
  readonly check: 'always' | 'once-complete';
  /** Some explored interleaving made every pinned step happen. */
  readonly completed: boolean;
  /** Indices of the pinned steps that happened in no explored interleaving. */
  readonly neverHappened: readonly number[];
  /** With a violation: how many pinned steps had happened when it was found. */
  readonly atViolation: number | null;
  /** One line for humans. */
  readonly summary: string;
}

export function scenarioReport(
  c: CompiledScenario,
  seen: ScenarioObservations,
  result: 'verified' | 'violation' | 'incomplete',
  atViolation: number | null,
): ScenarioReport {
  const n = c.steps.length;
  const never = c.steps.map((_, i) => i).filter((i) => !(seen.everDone & (1 << i)));
  const pinned = (i: number) => `steps[${i}] (${describePinned(c.steps[i])})`;
  let summary: string;
  if (result === 'violation') {
    summary =
      atViolation === n
        ? `found after the whole pinned schedule (${n} of ${n} pinned steps) had happened`
        : `found when ${atViolation} of ${n} pinned steps had happened: the violation does not need the rest of the schedule`;
  } else if (seen.completed) {
    summary =
      result === 'verified'
        ? `every interleaving that follows the scenario holds every invariant; the pinned schedule completes in some of them`
        : `the pinned schedule completed in some explored interleavings; the search was incomplete`;
  } else {
    const first = never[0];
    const waits = c.steps[first].after;
    const held = [...seen.heldBack.entries()]
      .sort(([a], [b]) => a - b)
      .flatMap(([i, m]) =>
        [...m.keys()].map((l) => `${l} (it would have been steps[${i}], which waits for ${c.steps[i].after.map((p) => `steps[${p}]`).join(' and ')})`),
      );
    const why = waits.length ? `${pinned(first)} never happened once ${waits.map((p) => `steps[${p}]`).join(' and ')} had` : `${pinned(first)} never happened`;
    const hb = held.length ? `; the scenario held back ${held.slice(0, 3).join(', ')}${held.length > 3 ? ', …' : ''}` : '';
    summary = `the pinned schedule never completed: ${why}${hb}`;
  }
  return {
    ...(c.spec.description !== undefined ? { description: c.spec.description } : {}),
    steps: c.steps,
    check: c.onceComplete ? 'once-complete' : 'always',
    completed: seen.completed,
    neverHappened: never,
    atViolation,
    summary,
  };
}
