/**
 * `explore(system, options)`: search the system's interleavings and return the object
 * `hypsim explore --json` prints. `replay(system, trace)`: re-execute a saved trace.
 */
import type { TraceEntry } from '../bus/trace';
import type { Checkable } from '../explore/checkable';
import { exhaustive } from '../explore/exhaustive';
import { sample } from '../explore/random';
import { replay as replayTrace } from '../explore/replay';
import type { SearchOptions, Stats, Strategy } from '../explore/result';
import { InputError } from '../util/errors';
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
  result: 'verified' | 'violation' | 'incomplete';
  violation: null | { invariant: string; message: string; trace: TraceEntry[] };
  stoppedBy?: string;
  stats: Stats;
}

const strategies: readonly Strategy[] = ['bfs', 'dfs', 'random', 'pct'];

export function explore(sys: System, options: ExploreOptions = {}): ExploreResult {
  const strategy = options.strategy ?? 'bfs';
  if (!strategies.includes(strategy)) throw new InputError(`unknown strategy "${strategy}" (bfs, dfs, random, pct)`);
  const seed = options.seed ?? 1;
  const symmetry = options.symmetry ?? true;
  const por = options.por ?? true;
  const engine = sys.engine({ symmetry }) as unknown as Checkable;
  const opts: SearchOptions = { strategy, seed, maxStates: options.maxStates, maxSeconds: options.maxSeconds, por, walks: options.walks, pctDepth: options.pctDepth, onProgress: options.onProgress };
  const r = strategy === 'bfs' || strategy === 'dfs' ? exhaustive(engine, opts) : sample(engine, opts);
  return {
    ...sys.header,
    strategy,
    seed,
    symmetry,
    por,
    result: r.result,
    violation: r.violation,
    ...(r.stoppedBy ? { stoppedBy: r.stoppedBy } : {}),
    stats: r.stats,
  };
}

export interface ReplayResult {
  violation: null | { invariant: string; message: string };
  trace: TraceEntry[];
  /** The run ended with no step left. */
  quiescent: boolean;
}

/** Re-execute `trace` step by step; a step that is not enabled throws a TraceError. */
export function replay(sys: System, trace: readonly TraceEntry[]): ReplayResult {
  const r = replayTrace(sys.engine({ symmetry: false }) as unknown as Checkable, trace, 'strict');
  return { violation: r.violation, trace: r.trace, quiescent: r.quiescent };
}
