/**
 * A live run feeding an inspector session: real XState actors on the RxJS bus (actors/live.ts simulate),
 * each step's deliveries (bus.deliveries$, closed by bus.steps$) mirrored on the pure engine into a frame.
 * Timeline text is added in batches (describeTrace over the run so far), at most every `flushMs`, so a
 * fast run does not redo it at every step.
 */
import { simulate, type SimulateOptions } from '../actors/live';
import type { DeliveryPolicy, Pending } from '../bus/delivery';
import type { TraceEntry } from '../bus/trace';
import { primaryEntries, stepSignature } from '../explore/match';
import { InternalError } from '../util/errors';
import type { Session } from './session';

export interface LiveRunOptions {
  seed?: number;
  delayMs?: number;
  maxSteps?: number;
  policy?: DeliveryPolicy;
  inspect?: SimulateOptions['inspect'];
  /** Least time between two timeline batches (default 100 ms). */
  flushMs?: number;
}

export async function runLive(
  session: Session,
  opts: LiveRunOptions = {},
): Promise<{ violation: { invariant: string; message: string } | null; steps: number }> {
  const flushMs = opts.flushMs ?? 100;
  let pending: TraceEntry[] = [];
  let timer: NodeJS.Timeout | null = null;
  let lastFlush = 0;
  let finished = false;
  let error: unknown = null;
  const flush = () => {
    timer = null;
    if (finished) return;
    lastFlush = Date.now();
    session.describe();
  };
  const schedule = () => {
    if (timer || finished) return;
    timer = setTimeout(flush, Math.max(0, flushMs - (Date.now() - lastFlush)));
  };
  const out = await simulate(session.sys, {
    seed: opts.seed,
    delayMs: opts.delayMs,
    maxSteps: opts.maxSteps,
    policy: opts.policy,
    inspect: opts.inspect,
    attach: (bus) => {
      bus.deliveries$.subscribe((e) => pending.push(e));
      bus.steps$.subscribe(() => {
        if (error) return;
        const group = pending;
        pending = [];
        try {
          session.builder.push(group);
        } catch (e) {
          error = e;
        }
        schedule();
      });
    },
  });
  finished = true;
  if (timer) clearTimeout(timer);
  if (error) throw error;
  session.end(out.violation);
  return { violation: out.violation, steps: out.steps };
}

/**
 * A delivery policy that re-plays a recorded trace on the live bus (for `--stately` on a trace): at each
 * step it picks the pending delivery the trace recorded, ignoring what was read of shared memory.
 */
export function replayPolicy(trace: readonly TraceEntry[], readFields: readonly string[]): DeliveryPolicy & { readonly steps: number } {
  const steps = primaryEntries(trace);
  const sig = { readFields };
  return {
    steps: steps.length,
    choose(pend: readonly Pending[], step: number): number {
      const want = steps[step - 1];
      if (!want) throw new InternalError(`replay policy: no step ${step} in the trace`);
      const w = stepSignature(sig, want.to, want.from, want.event, want.payload as Record<string, unknown>);
      const i = pend.findIndex((p) => stepSignature(sig, p.to, p.from, p.type, p.event as Record<string, unknown>) === w);
      if (i < 0) throw new InternalError(`replay policy: step ${step} (${want.to} ${want.event}) is not pending`);
      return i;
    },
  };
}
