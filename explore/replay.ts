/**
 * Re-execute a recorded trace (through explore/reexecute.ts). Strict replay is for evidence: the trace
 * must be faithful step by step and stop where its violation is reached; lenient replay skips what is not
 * enabled and stops at the first violation (shrinking). `replayRecorded` also holds the trace to the
 * verdict it records.
 */
import type { Delivery, Violation, World } from './checkable';
import type { TraceEntry } from '../bus/trace';
import { TraceError } from '../util/errors';
import type { Checkable } from './checkable';
import { reexecute, type ReexecuteMode } from './reexecute';
import { deliveriesToEntries } from './trace-builder';

export interface ReplayOutcome {
  violation: Violation | null;
  /** The deliveries actually made, as a trace. */
  trace: TraceEntry[];
  final: World;
  /** No step left at the end. */
  quiescent: boolean;
}

/** What a trace file says it shows. */
export interface RecordedVerdict {
  readonly violation: { readonly invariant: string; readonly message: string } | null;
  readonly loop?: number;
}

function checkLoop(sys: Checkable, keys: readonly string[], loop: number): Violation {
  if (!Number.isInteger(loop) || loop < 1 || loop >= keys.length || keys[loop - 1] !== keys[keys.length - 1])
    throw new TraceError(`the trace's loop (from step ${loop}) does not come back to the state it starts in`);
  // Every state of the loop breaks one same quiescence invariant (a state may break several).
  const broken = keys.slice(loop - 1).map((k) => {
    const w = sys.decode(k);
    return sys.quiescentViolations?.(w) ?? [sys.quiescentViolation(w)].filter((b): b is Violation => b !== null);
  });
  const first = broken[0].find((v) => broken.every((b) => b.some((x) => x.invariant === v.invariant)));
  if (!first) throw new TraceError(`the trace's loop (from step ${loop}) does not keep breaking one liveness invariant`);
  return { invariant: first.invariant, message: `a fair cycle never gets there: ${first.message}` };
}

/**
 * @param loop for a lasso (a liveness violation of a system with cycles): the step the loop starts at. The
 *   replay then checks that the trace ends in the state where step `loop` began and that every state of the
 *   loop breaks the same quiescence invariant.
 */
export function replay(sys: Checkable, trace: readonly TraceEntry[], mode: ReexecuteMode = 'strict', loop?: number): ReplayOutcome {
  let world = sys.initial();
  // State keys are needed only to check a lasso's loop.
  const keys: string[] | null = loop !== undefined ? [sys.key(world)] : null;
  const done: Delivery[][] = [];
  const finish = (violation: Violation | null, quiescent: boolean): ReplayOutcome => ({
    violation,
    trace: deliveriesToEntries(sys, done),
    final: world,
    quiescent,
  });
  const steps = reexecute(sys, trace, mode);
  const goesOn = (v: Violation, at: number) => {
    if (mode !== 'strict') return;
    if (!steps.next().done) throw new TraceError(`the trace goes on after ${v.invariant} is broken at step ${at}: deliveries were added after the violation`);
    if (loop !== undefined)
      throw new TraceError(`the trace records a loop from step ${loop}, but it ends by breaking ${v.invariant} at step ${at}, which is no lasso`);
  };
  let v = sys.violation(world);
  if (v) {
    goesOn(v, 0);
    return finish(v, false);
  }
  for (let r = steps.next(); !r.done; r = steps.next()) {
    world = r.value.after;
    done.push([...r.value.deliveries]);
    keys?.push(sys.key(world));
    v = sys.violation(world);
    if (v) {
      goesOn(v, r.value.step);
      return finish(v, false);
    }
  }
  if (loop !== undefined && keys) return finish(checkLoop(sys, keys, loop), false);
  const quiescent = sys.enabled(world).length === 0;
  return finish(quiescent ? sys.quiescentViolation(world) : null, quiescent);
}

/** Strict replay, then the verdict: the recorded invariant and message reached at the last step, or none and the run over. */
export function replayRecorded(sys: Checkable, trace: readonly TraceEntry[], recorded: RecordedVerdict): ReplayOutcome {
  const r = replay(sys, trace, 'strict', recorded.loop);
  const want = recorded.violation;
  const got = r.violation;
  if ((want?.invariant ?? null) !== (got?.invariant ?? null))
    throw new TraceError(`the trace records ${want?.invariant ?? 'no violation'} but replays to ${got?.invariant ?? 'no violation'}`);
  if (want && got && want.message !== got.message)
    throw new TraceError(`the trace records the message "${want.message}" but the replay gives "${got.message}"`);
  if (!want && !r.quiescent) throw new TraceError('the trace records no violation but stops while steps are still enabled: a truncated run proves nothing');
  return r;
}
