/**
 * `hypsim explore --strategy bfs --redis URL`: an exhaustive breadth-first search whose states are expanded by
 * `hypsim worker --redis URL` processes (api/redis-bfs-worker.ts), level by level (api/redis-bfs-round.ts), with
 * the visited set and frontier in Redis. The result is the one-process bfs's: verdict, states, transitions and
 * counterexample length; with partial-order reduction a violation is searched again without it for a shorter
 * trace, as explore/exhaustive.ts does. The counterexample is rebuilt here, forward from the root along the
 * recorded parents, and replays as any other. Redis lost or no worker alive: `incomplete`, with the reason.
 */
import type Redis from 'ioredis';
import type { TraceEntry } from '../bus/trace';
import type { Checkable, World } from '../explore/checkable';
import { collisionProbability } from '../explore/fingerprint';
import { keysAlongFingerprints } from '../explore/fingerprint-chain';
import { traceFromKeys } from '../explore/trace-builder';
import { InputError, InternalError } from '../util/errors';
import type { ExploreResult } from './explore';
import type { BfsTask } from './redis-bfs-keys';
import { type Found, LevelRound, type RoundOptions, type RoundResult } from './redis-bfs-round';
import { connect } from './redis-keys';
import { swarmTask } from './swarm-task';
import type { System } from './system';

export interface RedisBfsOptions {
  url: string;
  symmetry?: boolean;
  por?: boolean;
  maxSeconds?: number;
  /** No worker alive (or Redis not answering) this long: end `incomplete` (seconds, default 60). */
  timeoutSeconds?: number;
  interrupt?: { readonly aborted: boolean };
  log?: (s: string) => void;
}

/** Where and how the search ran (a line after the verdict). */
export interface DistributedReport {
  /** The Redis URL, credentials hidden. */
  redis: string;
  /** Workers that took part (sent a heartbeat) in the first search. */
  workers: number;
  /** Redis memory per state at the search's largest (visited set and the open levels' streams). */
  redisBytesPerState: number | null;
  /** Why the search stopped early, when it did. */
  reason?: string;
}

function refuse(sys: System, engine: Checkable<World>): void {
  // The fair-lasso pass that follows a verified bfs on a system that may loop runs in one process: not distributed.
  if (!engine.acyclic && sys.spec.invariants.some((i) => i.kind === 'quiescent'))
    throw new InputError('--redis: this system may loop, and its liveness check (the fair-lasso pass) runs in one process: explore it without --redis');
}

/** The trace to the recorded state: its hex fingerprints (root first) re-executed forward from the initial state. */
function rebuild(engine: Checkable<World>, fps: readonly string[]): { entries: TraceEntry[]; final: World } {
  const chain = fps.map((f): [number, number] => [Number.parseInt(f.slice(0, 8), 16), Number.parseInt(f.slice(8), 16)]);
  return traceFromKeys(engine, keysAlongFingerprints(engine, chain, 'bfs over Redis'));
}

type BusEngine = ReturnType<System['engine']>;

/** The figures a one-process run prints, from the round's counts (memory: this coordinator's). */
function figures(engine: BusEngine, t0: number, r: RoundResult | null) {
  return {
    engine: { xstateTransitions: engine.transitionsComputed, ...engine.dictionarySizes() },
    stats: {
      states: r?.states ?? 0,
      transitions: r?.transitions ?? 0,
      seconds: +((performance.now() - t0) / 1000).toFixed(3),
      depth: r?.depth ?? 0,
      peakMemoryMB: Math.round(process.memoryUsage().rss / 1048576),
    },
    ...(r
      ? {
          visited: {
            mode: 'fingerprint' as const,
            fingerprintBits: 64,
            bytesPerState: r.redisBytesPerState,
            collisionProbability: collisionProbability(r.states),
            spilledFrontierStates: 0,
          },
        }
      : {}),
  };
}

/**
 * The reported violation: with the reduction on, a bfs without it bounded by the depth found looks for a shorter one
 * (`research`); the trace is rebuilt from the parents recorded by whichever round found it.
 */
async function counterexample(first: Found, research: (maxDepth: number) => Promise<RoundResult>, engine: BusEngine, por: boolean, rounds: LevelRound[]) {
  let found = first;
  let from = rounds[0];
  let shortest = true;
  if (por && found.depth > 0) {
    // The reduced graph's first counterexample need not be a shortest one: look for a shorter one without reduction.
    const again = await research(found.depth - 1);
    if (again.end.kind === 'violation') {
      found = again.end.found;
      from = rounds[1];
    } else if (again.end.kind === 'limit') shortest = false;
  }
  const sys: Checkable<World> = engine;
  const { entries, final } = rebuild(sys, await from.pathTo(found.f));
  // The message was written for the representative state; say it again for the concrete actors of the trace.
  const concrete = sys.violation(final) ?? sys.quiescentViolation(final);
  const message = concrete?.invariant === found.invariant ? concrete.message : found.message;
  return { invariant: found.invariant, message, trace: entries, shortest };
}

async function round(redis: Redis, engine: Checkable<World>, o: RoundOptions, rounds: LevelRound[]): Promise<RoundResult> {
  const r = new LevelRound(redis, engine, o);
  rounds.push(r);
  return r.search();
}

export async function exploreOverRedis(sys: System, o: RedisBfsOptions): Promise<ExploreResult & { distributed: DistributedReport }> {
  const symmetry = o.symmetry ?? true;
  const por = o.por ?? true;
  const engine = sys.engine({ symmetry });
  refuse(sys, engine);
  const { config } = swarmTask(sys, { strategy: 'random', walks: 1, por, symmetry });
  const t0 = performance.now();
  const redis = connect(o.url);
  const rounds: LevelRound[] = [];
  const where = o.url.replace(/\/\/[^@/]*@/, '//…@');
  const base = { timeoutMs: (o.timeoutSeconds ?? 60) * 1000, interrupt: o.interrupt, log: o.log ?? (() => undefined) };
  const roundOpts = (task: BfsTask): RoundOptions => ({ ...base, task, deadline: o.maxSeconds === undefined ? undefined : t0 + o.maxSeconds * 1000 });
  const head = { ...sys.header, strategy: 'bfs' as const, seed: 1, symmetry: symmetry && engine.classes.length > 0, por };
  const tail = (r: RoundResult | null) => figures(engine, t0, r);
  let first: RoundResult | null = null;
  let reached = false;
  let lastError: string | null = null;
  redis.on('error', (e: Error) => (lastError = e.message));
  try {
    await redis.ping();
    reached = true;
    first = await round(redis, engine, roundOpts({ config, symmetry, por }), rounds);
    const report: DistributedReport = { redis: where, workers: first.workers, redisBytesPerState: first.redisBytesPerState };
    const end = first.end;
    if (end.kind === 'limit')
      return { ...head, result: 'incomplete', violation: null, stoppedBy: end.by, ...tail(first), distributed: { ...report, reason: end.reason } };
    if (end.kind === 'complete') return { ...head, result: 'verified', violation: null, ...tail(first), distributed: report };
    const violation = await counterexample(
      end.found,
      (maxDepth) => round(redis, engine, roundOpts({ config, symmetry, por: false, maxDepth }), rounds),
      engine,
      por,
      rounds,
    );
    return { ...head, result: 'violation', violation, ...tail(first), distributed: report };
  } catch (e) {
    if (e instanceof InputError || e instanceof InternalError) throw e;
    const reason = `Redis ${reached ? 'lost' : 'not reachable'} (${lastError ?? String((e as Error).message).split('. ')[0]})`;
    return {
      ...head,
      result: 'incomplete',
      violation: null,
      stoppedBy: 'redis-lost',
      ...tail(first),
      distributed: { redis: where, workers: 0, redisBytesPerState: null, reason },
    };
  } finally {
    for (const r of rounds) await r.close().catch(() => undefined);
    redis.disconnect();
  }
}
