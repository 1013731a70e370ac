/**
 * `explore(system, options)`: search the system's interleavings and return the object
 * `hypsim explore --json` prints. `replay(system, trace)`: re-execute a saved trace.
 */
import type { TraceEntry } from '../bus/trace';
import type { Checkable } from '../explore/checkable';
import { exhaustive } from '../explore/exhaustive';
import { findFairLasso } from '../explore/lasso';
import { traceFromKeys } from '../explore/trace-builder';
import { sample } from '../explore/random';
import { replay as replayTrace } from '../explore/replay';
import type { SearchOptions, Stats, Strategy } from '../explore/result';
import { ScenarioCheckable } from '../scenario/product';
import { scenarioReport, type ScenarioReport } from '../scenario/report';
import type { ScenarioSpec } from '../scenario/scenario';
import { compileScenario } from '../scenario/validate';
import type { VisitedSummary } from '../explore/visited';
import { InputError } from '../util/errors';
import { FileSpillStore } from './file-spill';
import type { System } from './system';

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

export interface ExploreResult {
  design: string;
  layout: string | null;
  cpus: number;
  hotplug: number;
  vms: number;
  hotplugFromBoot: boolean;
  strategy: Strategy;
  seed: number;
  symmetry: boolean;
  por: boolean;
  /** 'unsatisfiable' only with a scenario: the search ended, and no interleaving completed the pinned schedule. */
  result: 'verified' | 'violation' | 'incomplete' | 'unsatisfiable';
  /** `loop`, for a liveness violation on a system with cycles: the steps from `loop` on repeat forever. */
  violation: null | { invariant: string; message: string; trace: TraceEntry[]; loop?: number };
  stoppedBy?: string;
  stats: Stats;
  /** bfs/dfs: the visited set (fingerprints with their collision bound, or exact keys) and frontier spill. */
  visited?: VisitedSummary;
  /** The engine's memo tables: XState `transition` calls actually made (the rest came from the memo) and dictionary sizes. */
  engine: { xstateTransitions: number; localStates: number; memories: number; messages: number };
  /** Only with a scenario: whether and how far the pinned schedule happened. */
  scenario?: ScenarioReport;
}

const strategies: readonly Strategy[] = ['bfs', 'dfs', 'random', 'pct'];

export function explore(sys: System, options: ExploreOptions = {}): ExploreResult {
  const strategy = options.strategy ?? 'bfs';
  if (!strategies.includes(strategy)) throw new InputError(`unknown strategy "${strategy}" (bfs, dfs, random, pct)`);
  const seed = options.seed ?? 1;
  const compiled = options.scenario !== undefined ? compileScenario(sys, options.scenario) : null;
  if (compiled && options.symmetry === true) throw new InputError('a scenario names actors, which breaks CPU symmetry: explore it with symmetry off (leave `symmetry` unset)');
  const symmetry = compiled ? false : (options.symmetry ?? true);
  const por = options.por ?? true;
  const busEngine = sys.engine({ symmetry });
  const base = busEngine as unknown as Checkable;
  const product = compiled ? new ScenarioCheckable(base, compiled) : null;
  const engine = product ?? base;
  const opts: SearchOptions = { strategy, seed, maxStates: options.maxStates, maxSeconds: options.maxSeconds, por, walks: options.walks, pctDepth: options.pctDepth, onProgress: options.onProgress };
  const spill = options.spillDir === false ? undefined : { store: new FileSpillStore(options.spillDir), keepInMemory: options.frontierInMemory };
  let r;
  try {
    r = strategy === 'bfs' || strategy === 'dfs' ? exhaustive(engine, { ...opts, exact: options.exact === true, spill }) : sample(engine, opts);
  } finally {
    spill?.store.close();
  }
  let result: ExploreResult['result'] = r.result;
  let violation: ExploreResult['violation'] = r.violation;
  let stoppedBy = r.stoppedBy as string | undefined;
  // A system that may loop can break a quiescence invariant without ever ending: look for a fair lasso.
  if (result === 'verified' && !compiled && !base.acyclic && sys.spec.invariants.some((i) => i.kind === 'quiescent')) {
    const checkable = sys.engine({ symmetry: false }) as unknown as Checkable;
    const lasso = findFairLasso(checkable, options.maxStates);
    if (lasso === 'incomplete') {
      result = 'incomplete';
      stoppedBy = 'max-states';
    } else if (lasso) {
      result = 'violation';
      const { entries } = traceFromKeys(checkable, [...lasso.stem, ...lasso.cycle.slice(1)]);
      violation = { invariant: lasso.invariant, message: lasso.message, trace: entries, loop: lasso.stem.length };
    }
  }
  let scenario: ScenarioReport | undefined;
  if (compiled && product) {
    // How far the pinned schedule had got at the violation: replay the counterexample on the product.
    const at = r.violation ? product.progress(replayTrace(new ScenarioCheckable(sys.engine({ symmetry: false }) as unknown as Checkable, compiled), r.violation.trace, 'strict').final) : null;
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
    result,
    violation,
    ...(stoppedBy ? { stoppedBy } : {}),
    stats: r.stats,
    ...(r.visited ? { visited: r.visited } : {}),
    engine: { xstateTransitions: busEngine.transitionsComputed, ...busEngine.dictionarySizes() },
    ...(scenario ? { scenario } : {}),
  };
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
  const r = replayTrace(sys.engine({ symmetry: false }) as unknown as Checkable, trace, 'strict', loop);
  return { violation: r.violation, trace: r.trace, quiescent: r.quiescent };
}

