/**
 * The Redis layout of a distributed exhaustive bfs (docs/scale.md, "Across machines"), shared by the
 * coordinator (api/redis-bfs.ts) and `hypsim worker` (api/redis-bfs-worker.ts). Under `hypsim:bfs:RUN`:
 *   task           the system and search options (JSON)
 *   level          the depth being expanded (workers read it; only the coordinator writes it)
 *   seen:XX        the visited set, partitioned by the fingerprint's first byte: fingerprint → "depth parent"
 *   level:D        stream of the states first reached at depth D (fields k: portable key, f: fingerprint),
 *                  read through consumer group `g`; an entry stays pending until its expansion is recorded
 *   count, acked, trans   per depth: states reached, states expanded, steps applied
 *   viol:D, qviol:D       safety violations of states reached at D, quiescence ones of states expanded at D
 *   alive          consumer → last heartbeat (ms), for "no worker alive"
 *   done           set when the coordinator has its result; workers leave; it outlives the other keys by DONE_LINGER_S
 *   coordinator    refreshed by the coordinator while it waits; once it expires (the coordinator died) workers leave
 * Runs in progress are members of `hypsim:bfs:runs`. Scripts build key names from the prefix: one Redis
 * server, not a cluster.
 */
import type { Checkable, World } from '../explore/checkable';

export const RUNS = 'hypsim:bfs:runs';
export const BFS_GROUP = 'g';
/** A finished run's `done` key stays this long (seconds) after its other keys are removed, for late workers. */
export const DONE_LINGER_S = 600;
/** The coordinator refreshes its key at least every half second while a level is open. */
export const COORDINATOR_TTL_MS = 5000;
export const prefixOf = (run: string) => `hypsim:bfs:${run}`;

/** What a worker needs to rebuild the system and expand its states as the coordinator would. */
export interface BfsTask {
  /** api/system.ts options, resolved to values (as a swarm's task). */
  config: import('./system').HypSystemOptions;
  symmetry: boolean;
  por: boolean;
  /** States at this depth are expanded (quiescence checked) without generating successors. */
  maxDepth?: number;
}

/**
 * Record one batch atomically, so a worker dying between two commands neither loses nor duplicates a state:
 * every successor is test-and-set by fingerprint (a new one gets its depth and parent, an entry on the next
 * level's stream, its violation if any), then the expanded entries are acknowledged; only entries this call
 * acknowledged count their steps, so a claimed entry expanded twice adds nothing twice.
 * Once the run is done (a late batch of a slow worker) it writes nothing, so a finished run's keys stay removed.
 * ARGV: prefix, depth d of the expanded entries (-1: the root), entry count, (id, steps, quiescence violation or '')...,
 * then state count, (fingerprint, parent fingerprint, portable key, safety violation or '')... of depth d+1. A
 * violation is the JSON of a `RecordedViolation` (the quiescence hash is keyed by it, the safety one by portable key).
 */
export const RECORD_LUA = `
local p = ARGV[1]
if redis.call('EXISTS', p .. ':done') == 1 then return -1 end
local d = tonumber(ARGV[2])
local nd = d + 1
local i = 3
local ne = tonumber(ARGV[i])
local ebase = i + 1
i = ebase + 3 * ne
local ns = tonumber(ARGV[i])
i = i + 1
local added = 0
for s = 0, ns - 1 do
  local fp = ARGV[i + 4 * s]
  local key = ARGV[i + 4 * s + 2]
  local viol = ARGV[i + 4 * s + 3]
  if redis.call('HSETNX', p .. ':seen:' .. string.sub(fp, 1, 2), fp, nd .. ' ' .. ARGV[i + 4 * s + 1]) == 1 then
    redis.call('XADD', p .. ':level:' .. nd, '*', 'k', key, 'f', fp)
    added = added + 1
    if viol ~= '' then redis.call('HSET', p .. ':viol:' .. nd, key, viol) end
  end
end
if added > 0 then redis.call('HINCRBY', p .. ':count', nd, added) end
local acked = 0
local steps = 0
for e = 0, ne - 1 do
  local id = ARGV[ebase + 3 * e]
  if redis.call('XACK', p .. ':level:' .. d, '${BFS_GROUP}', id) == 1 then
    acked = acked + 1
    steps = steps + tonumber(ARGV[ebase + 3 * e + 1])
    local q = ARGV[ebase + 3 * e + 2]
    if q ~= '' then redis.call('HSET', p .. ':qviol:' .. d, q, '') end
  end
end
if acked > 0 then
  redis.call('HINCRBY', p .. ':acked', d, acked)
  redis.call('HINCRBY', p .. ':trans', d, steps)
end
return added
`;

/** A violation as recorded in Redis: the state's portable key and fingerprint, and what it broke. */
export interface RecordedViolation {
  k: string;
  f: string;
  invariant: string;
  message: string;
}

/** A 64-bit fingerprint (two 32-bit lanes) as 16 hex digits: a field name in Redis. */
export function hexFingerprint(hi: number, lo: number): string {
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

/** What names a state in the visited set: its portable fingerprint (bus/portable-fingerprint.ts), equal in every process. */
export function redisFingerprint(engine: Checkable<World>): (w: World) => string {
  const out = new Uint32Array(2);
  return (w) => {
    engine.portableFingerprint(w, out);
    return hexFingerprint(out[0], out[1]);
  };
}
