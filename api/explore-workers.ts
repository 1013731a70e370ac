/**
 * `exploreWorkers(system, { workers })`: exhaustive bfs on worker threads (api/bfs-threads.ts), one partition of
 * the state space a thread. Resolves to the object `hypsim explore --json` prints; verdicts, state counts (of a
 * verified run) and counterexample lengths equal those of `explore(system)`, whatever the number of workers.
 * Workers rebuild the system from its HYP configuration, so only HYP systems (design, layout, bounds) run here.
 *
 * @example
 * const r = await exploreWorkers(system({ design: 'trampoline', layout: 'collide', cpus: 4, hotplug: 1 }), { workers: 2 });
 * // r.result === 'verified', r.stats.states === explore(sameSystem).stats.states
 */
import { availableParallelism } from 'node:os';
import type { Engine } from '../bus/engine';
import { collisionProbability } from '../explore/fingerprint';
import type { World } from '../bus/key';
import { keysAlongFingerprints, portableFingerprintOf } from '../explore/fingerprint-chain';
import { traceFromKeys } from '../explore/trace-builder';
import { defaultMaxMemoryMB } from '../explore/budget';
import { InputError } from '../util/errors';
import type { BfsTask } from './bfs-protocol';
import { threadBfs, type PoolLimits, type PoolOutcome } from './bfs-threads';
import type { ExploreOptions, ExploreResult, ExploreViolation } from './explore';
import { nodeMeter } from './node-meter';
import { type Recipe, recipeOf } from './recipe';
import type { System } from './system';

export interface WorkersOptions extends Pick<ExploreOptions, 'strategy' | 'symmetry' | 'por' | 'maxStates' | 'maxSeconds' | 'maxMemoryMB' | 'interrupt'> {
  /** Worker threads (default: the machine's cores). */
  workers?: number;
  /** Called after each level with the states stored, the depth and the next level's size. */
  onLevel?: (states: number, depth: number, frontier: number) => void;
  /** Test hook: make one worker throw at one level. */
  crashAt?: BfsTask['crashAt'];
  /** Test hook: run each level on one worker at a time (one worker's successors then reach the shared table before another's). */
  staggered?: boolean;
  /** Test hook: never grow the shared table ahead of a level (it fills mid-level and grows at the barrier). */
  growLate?: boolean;
}

/** What `--workers` adds to a result: how many threads ran, and why the run failed if a worker did. */
export interface WorkersReport {
  workers: number;
  /** States each worker expanded (all claim from one shared level): how the work was shared. */
  expandedBy?: number[];
  reason?: string;
}

function check(sys: System, o: WorkersOptions & Pick<ExploreOptions, 'exact' | 'scenario' | 'spillDir'>): { workers: number; config: Recipe } {
  const workers = o.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) throw new InputError(`workers must be a positive integer, got ${workers}`);
  if ((o.strategy ?? 'bfs') !== 'bfs')
    throw new InputError(`workers: exhaustive search on threads is bfs only (a parallel dfs is not the same search), got ${o.strategy}`);
  const config = recipeOf(sys);
  if (!config)
    throw new InputError('workers: threads rebuild a HYP system (design, layout, bounds) from its configuration; explore your own machines without workers');
  if (o.exact) throw new InputError('workers: --exact is not supported with worker threads (each keeps 64-bit fingerprints); drop one of them');
  if (o.scenario) throw new InputError('workers: a scenario cannot run on worker threads; drop workers');
  if (typeof o.spillDir === 'string') throw new InputError('workers: worker threads keep their frontiers in memory; drop --spill-dir');
  return { workers, config };
}

export async function exploreWorkers(
  sys: System,
  o: WorkersOptions & Pick<ExploreOptions, 'exact' | 'scenario' | 'spillDir'> = {},
): Promise<ExploreResult & { workers: WorkersReport }> {
  const { workers, config } = check(sys, o);
  const symmetry = o.symmetry ?? true;
  const por = o.por ?? true;
  const engine = sys.engine({ symmetry });
  if (!engine.acyclic) throw new InputError('workers: this system may loop, and its fair-lasso pass runs on one thread: explore it without workers');
  const t0 = performance.now();
  const maxMemoryMB = o.maxMemoryMB ?? defaultMaxMemoryMB(nodeMeter);
  let peakRss = nodeMeter.rss();
  const limits = (maxSeconds: number | undefined): PoolLimits => ({
    maxStates: o.maxStates,
    maxSeconds,
    maxMemoryMB,
    interrupt: o.interrupt,
    onProgress: (states, depth, frontier) => {
      peakRss = Math.max(peakRss, nodeMeter.rss());
      o.onLevel?.(states, depth, frontier);
    },
  });
  const task: BfsTask = { config, symmetry, por, crashAt: o.crashAt, staggered: o.staggered, growLate: o.growLate };
  const root = portableFingerprintOf(engine, engine.initial());
  const r = await threadBfs(task, workers, limits(o.maxSeconds), root);
  let end = r.end;
  let shortest = true;
  if (end.kind === 'found' && por && end.found.depth > 0) {
    // As one-thread bfs: the reduced graph's first counterexample need not be shortest; search again without reduction.
    const left = o.maxSeconds === undefined ? undefined : Math.max(1e-3, o.maxSeconds - (performance.now() - t0) / 1000);
    const again = await threadBfs({ ...task, por: false, maxDepth: end.found.depth - 1, crashAt: undefined }, workers, limits(left), root);
    if (again.end.kind === 'found') end = again.end;
    else if (again.end.kind !== 'complete') shortest = false;
  }
  peakRss = Math.max(peakRss, nodeMeter.rss());
  const stats = {
    states: r.states,
    transitions: r.transitions,
    seconds: +((performance.now() - t0) / 1000).toFixed(3),
    depth: r.depth,
    peakMemoryMB: Math.round(peakRss / 1048576),
  };
  const visited = {
    mode: 'fingerprint' as const,
    fingerprintBits: 64,
    bytesPerState: r.states ? +(r.bytes / r.states).toFixed(1) : null,
    collisionProbability: collisionProbability(r.states),
    spilledFrontierStates: 0,
  };
  const head = { ...sys.header, strategy: 'bfs' as const, seed: 1, symmetry: symmetry && engine.classes.length > 0, por, stats, visited, engine: r.engine };
  const shared = { workers, expandedBy: r.expandedBy };
  if (end.kind === 'complete') return { ...head, result: 'verified', violation: null, workers: shared };
  if (end.kind === 'limit') return { ...head, result: 'incomplete', violation: null, stoppedBy: end.by, workers: shared };
  if (end.kind === 'failed') return { ...head, result: 'incomplete', violation: null, stoppedBy: 'worker-failed', workers: { workers, reason: end.reason } };
  return { ...head, result: 'violation', violation: violationOf(engine, end, shortest), workers: shared };
}

function violationOf(engine: Engine<unknown>, end: Extract<PoolOutcome['end'], { kind: 'found' }>, shortest: boolean): ExploreViolation {
  const { entries, final } = traceFromKeys(engine, keysAlongFingerprints<World>(engine, end.chain, 'workers'));
  const last = final as World;
  // The message was written for the representative state; say it again for the concrete actors of the trace.
  const concrete = engine.violation(last) ?? engine.quiescentViolation(last);
  const { invariant, message } = end.found;
  return { invariant, message: concrete?.invariant === invariant ? concrete.message : message, trace: entries, shortest };
}
