/**
 * `forAllInterleavings(system, check)`: call `check` on every reachable state (no symmetry, no
 * partial-order reduction, so no state is skipped), breadth first. If `check` throws or returns false,
 * it throws an InterleavingError naming the state and showing a shortest run to it as a timeline. It is a
 * visitor of the one search loop (explore/search.ts).
 */
import type { AnyMachineSnapshot, StateValue } from 'xstate';
import type { World } from '../bus/engine';
import type { BusEvent } from '../bus/spec';
import type { TraceEntry } from '../bus/trace';
import { Budget } from '../explore/budget';
import { nodeMeter } from './node-meter';
import type { Checkable } from '../explore/checkable';
import { search } from '../explore/search';
import { traceFromKeys } from '../explore/trace-builder';
import { MemoryVisitedSet } from '../explore/numbered-states';
import { renderTimeline } from '../report/timeline';
import { ScenarioCheckable } from '../scenario/product';
import type { ScenarioSpec } from '../scenario/scenario';
import { compileScenario } from '../scenario/validate';
import { InputError } from '../util/errors';
import type { System } from './system';

/** One actor in one state. */
export interface ActorState {
  /** The statechart's state value, e.g. 'runtime' or { off: 'offline' }. */
  readonly value: StateValue;
  /** The same as a string: 'runtime', 'off.offline'. */
  readonly state: string;
  /** The statechart's context (a CPU's registers and TLB, the kernel's wait count, ...). */
  // biome-ignore lint/suspicious/noExplicitAny: a check reads its own machines' fields (ctx.online) without a cast; each machine's context differs.
  readonly context: Readonly<Record<string, any>>;
  /** XState's `matches`: `cpu.matches('runtime')`, `cpu.matches({ off: 'offline' })`. */
  matches(value: StateValue): boolean;
  readonly snapshot: AnyMachineSnapshot;
}

/** What `check` sees of one reachable state. */
// biome-ignore lint/suspicious/noExplicitAny: memory is the system's own shape; a caller names it (InterleavingState<Memory>) or reads it freely.
export interface InterleavingState<G = any> {
  /** Per actor id ('kernel', 'cpu0', 'hotplug', or your own). */
  readonly actors: Readonly<Record<string, ActorState>>;
  /** Shared memory (for HYP systems the page tables and kernel flags: `Memory`). */
  readonly memory: G;
  /** Messages sent and not yet delivered, oldest first. */
  readonly pending: readonly { readonly from: string; readonly to: string; readonly event: BusEvent }[];
  /** Steps from the initial state (a shortest run). */
  readonly depth: number;
  /** No step is left: a run ends here. */
  readonly quiescent: boolean;
  /** The first safety invariant broken in this state, or null (exploration goes on past it). */
  readonly violation: { readonly invariant: string; readonly message: string } | null;
  /** With a scenario: how many pinned steps have happened. */
  readonly pinned?: number;
  /** A shortest run from the initial state to here (computed on demand). */
  trace(): TraceEntry[];
}

export interface ForAllOptions {
  /** Stop after this many states (default 200 000). */
  maxStates?: number;
  /** At the limit: throw (default; the check did not see every state) or return with `complete: false`. */
  onLimit?: 'throw' | 'stop';
  /** Only the interleavings a scenario allows (see `scenario()`). */
  scenario?: ScenarioSpec;
}

export interface ForAllResult {
  /** States checked. */
  states: number;
  transitions: number;
  /** States with no step left. */
  quiescent: number;
  /** Every reachable state was checked. */
  complete: boolean;
}

/** `check` failed: the state, a shortest run to it, and the original error as `cause`. */
export class InterleavingError extends Error {
  override readonly name = 'InterleavingError';
  constructor(
    message: string,
    readonly state: InterleavingState,
    readonly trace: TraceEntry[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The error with its stack starting at the caller of forAllInterleavings, so test runners frame the user's line. */
function fromCaller<E extends Error>(e: E): E {
  Error.captureStackTrace?.(e, forAllInterleavings);
  return e;
}

function stateText(v: StateValue): string {
  return typeof v === 'string'
    ? v
    : Object.entries(v)
        .map(([k, x]) => (x === undefined ? k : `${k}.${stateText(x as StateValue)}`))
        .join(',');
}

/** The message of an InterleavingError: why, where, and the run that got there. */
function failureText(sys: System, st: InterleavingState, why: string, trace: TraceEntry[]): string {
  const where = Object.entries(st.actors)
    .map(([id, a]) => `${id}: ${a.state}`)
    .join(', ');
  return [
    `forAllInterleavings: the check failed in a state reached after ${st.depth} step${st.depth === 1 ? '' : 's'}${st.quiescent ? ' (a run ends there)' : ''}`,
    '',
    why,
    '',
    `state: ${where}${st.pending.length ? `; pending: ${st.pending.map((p) => `${p.from} → ${p.to} ${p.event.type}`).join(', ')}` : ''}`,
    ...(st.violation ? [`(that state also breaks ${st.violation.invariant}: ${st.violation.message})`] : []),
    '',
    trace.length ? renderTimeline(sys, trace, null, { legend: true }) : '(the initial state)',
  ].join('\n');
}

// biome-ignore lint/suspicious/noExplicitAny: as InterleavingState's G.
export function forAllInterleavings<G = any>(
  sys: System,
  check: (state: InterleavingState<G>) => undefined | boolean,
  options: ForAllOptions = {},
): ForAllResult {
  if (typeof check !== 'function') throw fromCaller(new InputError('forAllInterleavings(system, check): check must be a function of the state'));
  const maxStates = options.maxStates ?? 200_000;
  const engine = sys.engine({ symmetry: false });
  const base: Checkable<World> = engine;
  const product = options.scenario !== undefined ? new ScenarioCheckable(base, compileScenario(sys, options.scenario)) : null;
  const cs: Checkable<World> = product ?? base;
  const visited = new MemoryVisitedSet();
  const ids = sys.spec.actors.map((a) => a.id);
  let quiet = 0;

  const pathTo = (n: number): TraceEntry[] => {
    const keys: string[] = [];
    for (let i = n; i >= 0; i = visited.parentOf(i)) keys.push(visited.keyOf(i));
    return traceFromKeys(cs, keys.reverse()).entries;
  };

  const view = (world: World, n: number, quiescent: boolean): InterleavingState<G> => {
    const actors: Record<string, ActorState> = {};
    ids.forEach((id, a) => {
      const snap = cs.snapshot(world, a);
      actors[id] = { value: snap.value, state: stateText(snap.value), context: snap.context, matches: (v) => snap.matches(v), snapshot: snap };
    });
    const wv = engine.view(world);
    const pending = ids.flatMap((to, a) => wv.pendingFor(a).map((p) => ({ from: ids[p.from], to, event: p.event })));
    return {
      actors,
      memory: engine.global(world) as G,
      pending,
      depth: visited.depthOf(n),
      quiescent,
      violation: cs.violation(world),
      ...(product ? { pinned: product.progress(world) } : {}),
      trace: () => pathTo(n),
    };
  };

  const fail = (st: InterleavingState<G>, n: number, why: string, cause?: unknown): never => {
    const trace = pathTo(n);
    throw fromCaller(new InterleavingError(failureText(sys, st, why, trace), st, trace, { cause }));
  };

  const visit = (world: World, n: number, quiescent: boolean) => {
    const st = view(world, n, quiescent);
    let ok: unknown;
    try {
      ok = check(st);
    } catch (e) {
      fail(st, n, e instanceof Error ? e.message : String(e), e);
    }
    if (ok && typeof (ok as { then?: unknown }).then === 'function')
      throw new InputError('forAllInterleavings: check must be synchronous (it returned a promise)');
    if (ok === false) fail(st, n, 'check returned false');
  };

  const r = search(
    cs,
    visited,
    { order: 'bfs', por: false, budget: new Budget({ maxStates, meter: nodeMeter }) },
    {
      expand: (n, world, enabled) => {
        const quiescent = enabled.length === 0 && (!product || base.enabled(world).length === 0);
        if (quiescent) quiet++;
        visit(world, n, quiescent);
        return undefined;
      },
    },
  );
  if (r.end.kind === 'limit') {
    if ((options.onLimit ?? 'throw') === 'throw')
      throw fromCaller(
        new InputError(
          `forAllInterleavings: more than ${maxStates} reachable states; raise maxStates, shrink the system, ` +
            `or pass onLimit: 'stop' to check only the first ${maxStates}`,
        ),
      );
    return { states: r.expanded, transitions: r.transitions, quiescent: quiet, complete: false };
  }
  return { states: visited.size, transitions: r.transitions, quiescent: quiet, complete: true };
}
