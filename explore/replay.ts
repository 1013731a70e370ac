/**
 * Re-execute a recorded trace. Strict replay refuses a step that is not enabled (a trace for another
 * design or bounds); lenient replay skips it (used to shrink counterexamples).
 */
import type { Delivery, Violation, World } from './checkable';
import type { TraceEntry } from '../bus/trace';
import { TraceError } from '../util/errors';
import type { Checkable } from './checkable';
import { findStep, primaryEntries } from './match';
import { deliveriesToEntries } from './trace-builder';

export interface ReplayOutcome {
  violation: Violation | null;
  /** The deliveries actually made, as a trace. */
  trace: TraceEntry[];
  final: World;
  /** No step left at the end. */
  quiescent: boolean;
}

/**
 * @param loop for a lasso (a liveness violation of a system with cycles): the step the loop starts at. The
 *   replay then checks that the trace ends in the state where step `loop` began and that every state of the
 *   loop breaks the same quiescence invariant.
 */
export function replay(sys: Checkable, trace: readonly TraceEntry[], mode: 'strict' | 'lenient' = 'strict', loop?: number): ReplayOutcome {
  let world = sys.initial();
  // State keys are needed only to check a lasso's loop.
  const keys: string[] | null = loop !== undefined ? [sys.key(world)] : null;
  const done: Delivery[][] = [];
  const finish = (violation: Violation | null, quiescent: boolean): ReplayOutcome => ({ violation, trace: deliveriesToEntries(sys, done), final: world, quiescent });
  let v = sys.violation(world);
  if (v) return finish(v, false);
  for (const entry of primaryEntries(trace)) {
    const enabled = sys.enabled(world);
    const st = findStep(sys, enabled, entry);
    if (!st) {
      if (mode === 'lenient') continue;
      throw new TraceError(`trace step ${entry.step} (${entry.from === entry.to ? entry.to : `${entry.from} → ${entry.to}`} ${entry.event}) is not enabled here: the trace is for another design, layout or bounds, or was edited`);
    }
    const rec: Delivery[] = [];
    world = sys.apply(world, st, rec);
    done.push(rec);
    keys?.push(sys.key(world));
    v = sys.violation(world);
    if (v) return finish(v, false);
  }
  if (loop !== undefined && keys) {
    if (!Number.isInteger(loop) || loop < 1 || loop >= keys.length || keys[loop - 1] !== keys[keys.length - 1])
      throw new TraceError(`the trace's loop (from step ${loop}) does not come back to the state it starts in`);
    const broken = keys.slice(loop - 1).map((k) => {
      const w = sys.decode(k);
      return sys.quiescentViolations?.(w) ?? [sys.quiescentViolation(w)].filter((b): b is Violation => b !== null);
    });
    const first = broken[0].find((v) => broken.every((b) => b.some((x) => x.invariant === v.invariant)));
    if (!first) throw new TraceError(`the trace's loop (from step ${loop}) does not keep breaking one liveness invariant`);
    return finish({ invariant: first.invariant, message: `a fair cycle never gets there: ${first.message}` }, false);
  }
  const quiescent = sys.enabled(world).length === 0;
  return finish(quiescent ? sys.quiescentViolation(world) : null, quiescent);
}
