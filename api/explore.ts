/**
 * `explore(system, options)`: search the system's interleavings and return the object
 * `hypsim explore --json` prints. `replay(system, trace)`: re-execute a saved trace.
 */
import type { World } from '../bus/engine';
import type { TraceEntry } from '../bus/trace';
import type { Checkable } from '../explore/checkable';
import { exhaustive } from '../explore/exhaustive';
import { Budget } from '../explore/budget';
import { nodeMeter } from './node-meter';
import { findFairLasso } from '../explore/lasso';
import { traceFromKeys } from '../explore/trace-builder';
import { sample } from '../explore/random';
import { replay as replayTrace, replayRecorded, type RecordedVerdict } from '../explore/replay';
import type { SampleReport, SearchOptions, Stats, Strategy } from '../explore/result';
import { ScenarioCheckable } from '../scenario/product';
import { scenarioReport, type ScenarioReport } from '../scenario/report';
import type { ScenarioSpec } from '../scenario/scenario';
import { compileScenario } from '../scenario/validate';
import type { VisitedSummary } from '../explore/visited';
import { InputError, InternalError } from '../util/errors';
import { FileSpillStore } from './file-spill';
import type { System, SystemHeader } from './system';

export interface ExploreOptions {
  strategy?: Strategy;
  seed?: number;
  maxStates?: number;
  maxSeconds?: number;
  /** Symmetry reduction over interchangeable CPUs (default on). */
  symmetry?: boolean;
  /** Partial-order reduction (default on). */
  por?: boolean;
  /** random/pct: number of runs (default 1000). */
  walks?: number;
  /** pct: bug depth d (default 3). */
  pctDepth?: number;
  /** Stop (result 'incomplete', stoppedBy 'max-memory') once the JS heap in use passes this many MB. Default: half the heap limit (explore/budget.ts). */
  maxMemoryMB?: number;
  /** Checked once per expansion; when `aborted` turns true the run stops with stoppedBy 'interrupted'. */
  interrupt?: { readonly aborted: boolean };
  onProgress?: SearchOptions['onProgress'];
  // --- scale (docs/scale.md) ---
  /** bfs/dfs: keep full state keys instead of 64-bit fingerprints (no collision probability, several times the memory). */
  exact?: boolean;
  /**
   * bfs/dfs: where a large frontier spills: a directory (default: the OS temp dir), or false to keep it in
   * memory. It spills only past `frontierInMemory` states (default 2^22).
   */
  spillDir?: string | false;
  frontierInMemory?: number;
  /**
   * Pin part of the schedule (`scenario()...` or a scenario file's object; semantics in scenario/scenario.ts).
   * Pinned steps name actors, so the search runs without symmetry (`symmetry: true` is refused).
   */
  scenario?: ScenarioSpec;
}

/** A violation as `explore()` reports it. */
export interface ExploreViolation {
  invariant: string;
  message: string;
  trace: TraceEntry[];
  /** For a liveness violation on a system with cycles: the steps from `loop` on repeat forever. */
  loop?: number;
  /** bfs: the trace is a shortest counterexample of the full state graph (docs/soundness.md). */
  shortest?: boolean;
  /** Random/PCT: the run that found it, its length before shrinking, how often it was shrunk. */
  sample?: SampleReport;
}

/** The system's header (as `sys.header` gives it) and how it was searched. */
interface ExploreHeader extends SystemHeader {
  strategy: Strategy;
  seed: number;
  symmetry: boolean;
  por: boolean;
  stoppedBy?: string;
  stats: Stats;
  /** bfs/dfs: the visited set (fingerprints with their collision bound, or exact keys) and frontier spill. */
  visited?: VisitedSummary;
  /** The engine's memo tables: XState `transition` calls actually made (the rest came from the memo) and dictionary sizes. */
  engine: { xstateTransitions: number; localStates: number; memories: number; messages: number };
  /** Only with a scenario: whether and how far the pinned schedule happened. */
  scenario?: ScenarioReport;
}

/**
 * What `explore()` returns, narrowed by `result`: `violation` is set exactly when `result === 'violation'`.
 * 'unsatisfiable' only with a scenario: the search ended, and no interleaving completed the pinned schedule.
 */
export type ExploreResult = ExploreHeader &
  ({ result: 'violation'; violation: ExploreViolation } | { result: 'verified' | 'incomplete' | 'unsatisfiable'; violation: null });

const strategies: readonly Strategy[] = ['bfs', 'dfs', 'random', 'pct'];

export function explore(sys: System, options: ExploreOptions = {}): ExploreResult {
  const strategy = options.strategy ?? 'bfs';
  if (!strategies.includes(strategy)) throw new InputError(`unknown strategy "${strategy}" (bfs, dfs, random, pct)`);
  const seed = options.seed ?? 1;
  // The PRNG keeps 32 bits: a larger seed would silently run the same as a smaller one.
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) throw new InputError(`seed must be an integer from 0 to 4294967295, got ${seed}`);
  const compiled = options.scenario !== undefined ? compileScenario(sys, options.scenario) : null;
  if (compiled && options.symmetry === true)
    throw new InputError('a scenario names actors, which breaks CPU symmetry: explore it with symmetry off (leave `symmetry` unset)');
  const symmetry = compiled ? false : (options.symmetry ?? true);
  const por = options.por ?? true;
  const busEngine = sys.engine({ symmetry });
  const base: Checkable<World> = busEngine;
  const product = compiled ? new ScenarioCheckable(base, compiled) : null;
  const engine = product ?? base;
  // One budget for the whole run: the search, the lasso pass and shrinking all spend from it.
  const { maxStates, maxSeconds, maxMemoryMB, interrupt } = options;
  const budget = new Budget({ maxStates, maxSeconds, maxMemoryMB, interrupt, meter: nodeMeter }, options.onProgress);
  const opts: SearchOptions = { strategy, seed, por, walks: options.walks, pctDepth: options.pctDepth, budget };
  const r = strategy === 'bfs' || strategy === 'dfs' ? exhaustiveWithSpill(engine, opts, options) : sample(engine, opts);
  let result: ExploreResult['result'] = r.result;
  let violation: ExploreViolation | null = r.result === 'violation' ? r.violation : null;
  let stoppedBy: string | undefined = r.result === 'incomplete' ? r.stoppedBy : undefined;
  // A system that may loop can break a quiescence invariant without ever ending: look for a fair lasso.
  if (result === 'verified' && !compiled && !base.acyclic && sys.spec.invariants.some((i) => i.kind === 'quiescent')) {
    const checkable: Checkable<World> = sys.engine({ symmetry: false });
    const lasso = findFairLasso(checkable, budget);
    if (lasso === 'incomplete') {
      result = 'incomplete';
      stoppedBy = budget.stopped ?? 'max-states';
    } else if (lasso) {
      result = 'violation';
      const { entries } = traceFromKeys(checkable, [...lasso.stem, ...lasso.cycle.slice(1)]);
      violation = { invariant: lasso.invariant, message: lasso.message, trace: entries, loop: lasso.stem.length };
    }
  }
  let scenario: ScenarioReport | undefined;
  if (compiled && product) {
    // How far the pinned schedule had got at the violation: replay the counterexample on the product.
    const at =
      r.result === 'violation'
        ? product.progress(replayTrace(new ScenarioCheckable(sys.engine({ symmetry: false }), compiled), r.violation.trace, 'strict').final)
        : null;
    scenario = scenarioReport(compiled, product.observed, r.result, at);
    if (r.result === 'verified' && !product.observed.completed) result = 'unsatisfiable';
  }
  return {
    ...sys.header,
    strategy,
    seed,
    // Whether symmetry was applied: asked for, and the system has interchangeable actors (legacy has none).
    symmetry: symmetry && busEngine.classes.length > 0,
    por,
    ...(violation ? { result: 'violation' as const, violation } : { result: noViolation(result), violation: null }),
    ...(stoppedBy ? { stoppedBy } : {}),
    stats: r.stats,
    ...(r.visited ? { visited: r.visited } : {}),
    engine: { xstateTransitions: busEngine.transitionsComputed, ...busEngine.dictionarySizes() },
    ...(scenario ? { scenario } : {}),
  };
}

/** bfs/dfs with the visited set asked for and a frontier that spills to files (removed when the search ends). */
function exhaustiveWithSpill(engine: Checkable<World>, opts: SearchOptions, options: ExploreOptions) {
  const spill = options.spillDir === false ? undefined : { store: new FileSpillStore(options.spillDir), keepInMemory: options.frontierInMemory };
  try {
    return exhaustive(engine, { ...opts, exact: options.exact === true, spill });
  } finally {
    spill?.store.close();
  }
}

function noViolation(result: ExploreResult['result']): Exclude<ExploreResult['result'], 'violation'> {
  if (result === 'violation') throw new InternalError('a violation result without a violation');
  return result;
}

export interface ReplayResult {
  violation: null | { invariant: string; message: string };
  trace: TraceEntry[];
  /** The run ended with no step left. */
  quiescent: boolean;
}

/**
 * Re-execute `trace` step by step; a step that is not enabled throws a TraceError. `loop` (from a liveness
 * violation's `violation.loop`) checks that the steps from there on form a cycle that keeps breaking it.
 */
export function replay(sys: System, trace: readonly TraceEntry[], loop?: number): ReplayResult {
  const engine: Checkable<World> = sys.engine({ symmetry: false });
  const r = replayTrace(engine, trace, 'strict', loop);
  return { violation: r.violation, trace: r.trace, quiescent: r.quiescent };
}

/**
 * Hold a trace to the verdict it records (a trace file is evidence): strict replay, every delivery as
 * recorded, the recorded invariant and message reached exactly at the last step (or, with `loop`, a real
 * lasso), or no violation and a run that is over. Anything else throws a one-line TraceError.
 * @example
 * verifyTrace(system({ design: 'legacy', layout: 'collide', cpus: 2 }), file.trace, { violation: file.violation });
 */
export function verifyTrace(sys: System, trace: readonly TraceEntry[], recorded: RecordedVerdict): ReplayResult {
  const engine: Checkable<World> = sys.engine({ symmetry: false });
  const r = replayRecorded(engine, trace, recorded);
  return { violation: r.violation, trace: r.trace, quiescent: r.quiescent };
}
