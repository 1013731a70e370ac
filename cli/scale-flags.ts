/** The explore flags of the scale work (docs/scale.md): visited-set mode, frontier spill, swarm workers, Redis. */
import type { ExploreOptions, ExploreResult } from '../api/explore';
import type { SwarmReport } from '../api/swarm';
import { InputError } from '../util/errors';
import type { Flags } from './args';

export const scaleFlags = {
  exact: 'bool',
  'spill-dir': 'string',
  'no-spill': 'bool',
  'frontier-in-memory': 'int',
  workers: 'int',
  seeds: 'int',
  redis: 'string',
} as const;

/** The explore flags a swarm reads besides its own (typed as cli/args.ts parses them). */
export type ScaleFlags = Flags<typeof scaleFlags> & { 'max-memory'?: number; scenario?: string };

export const scaleHelp = `  --exact               bfs/dfs: keep full state keys, not 64-bit fingerprints (no collision probability,
                        several times the memory; the result says which was used)
  --spill-dir DIR       bfs/dfs: where a frontier larger than --frontier-in-memory spills (default: temp dir)
  --frontier-in-memory N  frontier states kept in memory before spilling (default 4194304)
  --no-spill            keep the whole frontier in memory
  --workers N           bfs: a level-synchronous search on N worker threads sharing the visited set and levels
                        (default 1; same verdict, states and trace length as one thread); random/pct: run
                        seeds in N worker threads (default: the machine's cores)
  --seeds S             random/pct swarm: seeds --seed .. --seed+S-1, --walks each (default 16); the lowest
                        violating seed wins, whatever the timing
  --redis URL           random/pct swarm over Redis: seeds go to \`hypsim worker --redis URL\` processes;
                        bfs: an exhaustive search expanded by those processes, level by level (docs/scale.md)`;

export interface ScaleChoice {
  options: Pick<ExploreOptions, 'exact' | 'spillDir' | 'frontierInMemory'>;
  /** Set when the run is a swarm (random/pct with --workers, --seeds or --redis). */
  swarm: { workers?: number; seeds: number; redis?: string } | null;
  /** Set when the run is a bfs on worker threads (--workers with bfs). */
  workers?: number;
}

export function scaleChoice(f: ScaleFlags, strategy: string): ScaleChoice {
  const exhaustive = strategy === 'bfs' || strategy === 'dfs';
  for (const k of ['exact', 'spill-dir', 'no-spill', 'frontier-in-memory'] as const)
    if (f[k] !== undefined && !exhaustive) throw new InputError(`hypsim explore: --${k} applies to bfs and dfs only`);
  if (f.workers !== undefined && strategy === 'dfs')
    throw new InputError('hypsim explore: --workers runs bfs, random or pct, not dfs (a parallel dfs is not the same search)');
  if (f.redis !== undefined && strategy === 'dfs')
    throw new InputError('hypsim explore: --redis runs bfs or random/pct, not dfs (a distributed dfs is not shortest-first nor cheaper)');
  for (const k of ['seeds'] as const) if (f[k] !== undefined && exhaustive) throw new InputError(`hypsim explore: --${k} applies to random and pct only`);
  for (const k of ['frontier-in-memory', 'workers', 'seeds'] as const)
    if (f[k] !== undefined && f[k] <= 0) throw new InputError(`hypsim explore: --${k} must be positive, got ${f[k]}`);
  if (f['no-spill'] && f['spill-dir'] !== undefined) throw new InputError('hypsim explore: --no-spill and --spill-dir contradict each other');
  if (f.redis !== undefined && f.workers !== undefined) throw new InputError('hypsim explore: with --redis the workers are `hypsim worker`s: drop --workers');
  // bfs over Redis is coordinated by cli/redis-explore-cmd.ts, which refuses the flags it cannot honour.
  if (f.redis !== undefined && exhaustive) return { options: { exact: false, spillDir: undefined, frontierInMemory: undefined }, swarm: null };
  if (strategy === 'bfs' && f.workers !== undefined) return workersChoice(f);
  const options = { exact: f.exact === true, spillDir: f['no-spill'] ? (false as const) : f['spill-dir'], frontierInMemory: f['frontier-in-memory'] };
  const isSwarm = f.workers !== undefined || f.seeds !== undefined || f.redis !== undefined;
  if (!isSwarm) return { options, swarm: null };
  // Each seed's run has its own state and time limits; a heap limit shared by threads or processes is not modelled.
  if (f['max-memory'] !== undefined) throw new InputError('hypsim explore: --max-memory does not apply to a swarm (drop --workers/--seeds/--redis)');
  return { options, swarm: { workers: f.workers, seeds: f.seeds ?? 16, redis: f.redis } };
}

/** bfs on worker threads: each keeps fingerprints and its frontier in memory, so the flags about those are refused. */
function workersChoice(f: ScaleFlags): ScaleChoice {
  if (f.exact) throw new InputError('hypsim explore: --exact is not supported with --workers (each worker keeps 64-bit fingerprints); drop one');
  for (const k of ['spill-dir', 'frontier-in-memory'] as const)
    if (f[k] !== undefined) throw new InputError(`hypsim explore: --${k} does not apply with --workers (worker threads keep their frontiers in memory)`);
  return { options: { exact: false, spillDir: false, frontierInMemory: undefined }, swarm: null, workers: f.workers };
}

/** For a swarm: which seed found what (a line after the verdict). */
export function swarmLine(r: ExploreResult & { swarm?: SwarmReport }): string {
  const s = r.swarm;
  if (!s) return '';
  const range = `seeds ${s.baseSeed}..${s.baseSeed + s.seeds - 1}, ${s.walksPerSeed} walk${s.walksPerSeed === 1 ? '' : 's'} each, on ${s.runners}`;
  if (s.reason) return `\n  swarm: ${range}; ${s.reason}: no verdict`;
  if (s.foundBySeed === null) return `\n  swarm: ${range}; ${s.seedsRun} seeds run, none violated`;
  const alone = `--strategy ${r.strategy} --seed ${s.foundBySeed} --walks ${s.walksPerSeed}`;
  return `\n  swarm: found by seed ${s.foundBySeed} (${range}; the lowest violating seed wins); alone: ${alone}`;
}

/** How states were stored, what a "verified" rests on (a line after the figures). */
export function visitedLine(r: ExploreResult): string {
  const v = r.visited;
  if (!v) return '';
  const spill = v.spilledFrontierStates ? `; ${v.spilledFrontierStates} frontier states spilled to disk` : '';
  if (v.mode === 'exact') return `\n  visited set: exact keys (no fingerprint collisions possible)${spill}`;
  const p = v.collisionProbability;
  const bound = p === 0 ? '0' : p.toExponential(1);
  const table = `${v.fingerprintBits}-bit fingerprints, ${v.bytesPerState ?? '?'} bytes/state`;
  return `\n  visited set: ${table}, P(a collision hid a state) ≤ ${bound} (--exact for none)${spill}`;
}
