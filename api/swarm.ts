/**
 * `exploreSwarm(system, options)`: random or PCT over many seeds at once (explore/swarm.ts): on worker
 * threads here, or on `hypsim worker` processes through Redis (api/swarm-redis.ts). Resolves to the
 * object `hypsim explore --json` prints, with a `swarm` block naming the seed that found the violation.
 */
import { availableParallelism } from 'node:os';
import { swarm, type SeedRunner, type SwarmOutcome } from '../explore/swarm';
import { RedisLostError } from './redis-keys';
import { InputError } from '../util/errors';
import type { ExploreOptions, ExploreResult } from './explore';
import { swarmTask, type SeedResult, type SwarmTask } from './swarm-task';
import { ThreadSeedRunner } from './swarm-threads';
import type { System } from './system';

export interface SwarmOptions extends Pick<ExploreOptions, 'seed' | 'walks' | 'pctDepth' | 'por' | 'symmetry' | 'maxStates' | 'maxSeconds'> {
  strategy: 'random' | 'pct';
  /** Seeds --seed .. --seed+seeds-1, `walks` runs each (default 16). The result depends on these, not on the workers. */
  seeds?: number;
  /** Worker threads (default: the machine's cores). */
  workers?: number;
  /** A runner of your own (e.g. the Redis one); `workers` is then ignored. */
  runner?: (task: SwarmTask, deadline?: number) => SeedRunner<SeedResult> & { close(): Promise<void>; readonly label: string };
}

export interface SwarmReport {
  /** Worker threads, or where the seeds went (e.g. "redis://…"). */
  runners: string;
  baseSeed: number;
  seeds: number;
  walksPerSeed: number;
  /** Seeds whose figures are counted: all, or those up to the winner. */
  seedsRun: number;
  foundBySeed: number | null;
  /** Why the swarm stopped early (Redis lost), when it did. */
  reason: string | undefined;
}

export async function exploreSwarm(sys: System, o: SwarmOptions): Promise<ExploreResult & { swarm: SwarmReport }> {
  if (o.strategy !== 'random' && o.strategy !== 'pct') throw new InputError(`a swarm runs random or pct, not "${String(o.strategy)}"`);
  const seeds = o.seeds ?? 16;
  const workers = o.workers ?? availableParallelism();
  for (const [k, v] of [
    ['seeds', seeds],
    ['workers', workers],
  ] as const)
    if (!Number.isInteger(v) || v < 1) throw new InputError(`swarm: ${k} must be a positive integer, got ${v}`);
  const base = o.seed ?? 1;
  const walks = o.walks ?? 1000;
  const symmetry = o.symmetry ?? true;
  const por = o.por ?? true;
  const task = swarmTask(sys, { strategy: o.strategy, walks, pctDepth: o.pctDepth, por, symmetry, maxStates: o.maxStates });
  const t0 = performance.now();
  const deadline = o.maxSeconds !== undefined ? t0 + o.maxSeconds * 1000 : undefined;
  const label = `${workers} worker thread${workers === 1 ? '' : 's'}`;
  const runner = o.runner ? o.runner(task, deadline) : Object.assign(new ThreadSeedRunner(task, workers, deadline), { label });
  let out: SwarmOutcome<SeedResult>;
  let reason: string | undefined;
  try {
    out = await swarm(runner, base, seeds, t0);
  } catch (e) {
    if (!(e instanceof RedisLostError)) throw e;
    // Seeds' results are lost with Redis: nothing can be claimed, the run says why it stopped.
    reason = e.message;
    const stats = { states: 0, transitions: 0, seconds: +((performance.now() - t0) / 1000).toFixed(3), depth: 0, peakMemoryMB: 0 };
    out = { result: 'incomplete', stats, stoppedBy: 'redis-lost', foundBySeed: null, seedsRun: 0, results: [] };
  } finally {
    await runner.close();
  }
  const rs = out.results;
  const engine = { xstateTransitions: 0, localStates: 0, memories: 0, messages: 0 };
  for (const r of rs) {
    engine.xstateTransitions += r.engine.xstateTransitions;
    engine.localStates = Math.max(engine.localStates, r.engine.localStates);
    engine.memories = Math.max(engine.memories, r.engine.memories);
    engine.messages = Math.max(engine.messages, r.engine.messages);
  }
  return {
    ...sys.header,
    strategy: o.strategy,
    seed: base,
    symmetry: symmetry && sys.engine({ symmetry }).classes.length > 0,
    por,
    ...(out.result === 'violation' ? { result: 'violation' as const, violation: out.violation } : { result: out.result, violation: null }),
    ...(out.result === 'incomplete' ? { stoppedBy: out.stoppedBy } : {}),
    stats: out.stats,
    engine,
    swarm: { runners: runner.label, baseSeed: base, seeds, walksPerSeed: walks, seedsRun: out.seedsRun, foundBySeed: out.foundBySeed, reason },
  };
}
