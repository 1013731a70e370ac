/**
 * The Redis layout of a swarm, shared by the coordinator (api/swarm-redis.ts) and `hypsim worker`
 * (api/redis-worker.ts). Seeds are jobs on one stream read through a consumer group, so each job goes
 * to one worker and stays pending until acknowledged; a worker that dies leaves its job pending, and
 * another claims it once it has been idle too long (workers reset the idle time of their own jobs).
 */
import Redis from 'ioredis';
import { InputError } from '../util/errors';

export const JOBS = 'hypsim:swarm:jobs';
export const GROUP = 'hypsim-workers';
export const taskKey = (run: string) => `hypsim:swarm:${run}:task`;
export const resultsKey = (run: string) => `hypsim:swarm:${run}:results`;
export const cancelKey = (run: string) => `hypsim:swarm:${run}:cancelled`;
export const doneKey = (run: string) => `hypsim:swarm:${run}:done`;

/** Redis went away (or never answered): the swarm ends `incomplete` with this reason, never waits forever. */
export class RedisLostError extends Error {
  override readonly name = 'RedisLostError';
}

export function checkRedisUrl(url: string): void {
  if (!/^rediss?:\/\/[^\s]+$/.test(url)) throw new InputError(`--redis must be a redis:// or rediss:// URL, got "${url}"`);
}

/** A connection that fails fast: a few reconnection attempts, then every command rejects. */
export function connect(url: string): Redis {
  checkRedisUrl(url);
  const r = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 3000, retryStrategy: (times) => (times > 5 ? null : 200), lazyConnect: false });
  // Errors surface as rejected commands; without a listener ioredis would also print them.
  r.on('error', () => undefined);
  return r;
}

export async function ensureGroup(r: Redis): Promise<void> {
  try {
    await r.call('XGROUP', 'CREATE', JOBS, GROUP, '0', 'MKSTREAM');
  } catch (e) {
    if (!String((e as Error).message).includes('BUSYGROUP')) throw e;
  }
}

/** Stream entries [id, [field, value, …]] as id → fields, whatever shape the reply has. */
export function entries(reply: unknown): { id: string; fields: Record<string, string> }[] {
  if (!Array.isArray(reply)) return [];
  const out: { id: string; fields: Record<string, string> }[] = [];
  for (const e of reply) {
    if (!Array.isArray(e) || typeof e[0] !== 'string' || !Array.isArray(e[1])) continue;
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < e[1].length; i += 2) fields[String(e[1][i])] = String(e[1][i + 1]);
    out.push({ id: e[0], fields });
  }
  return out;
}

/** XREADGROUP's entries for our one stream: [[stream, entries]] (RESP2) or [stream, entries] (a RESP3 map, flattened). */
export function readReply(reply: unknown): { id: string; fields: Record<string, string> }[] {
  if (!Array.isArray(reply)) return [];
  if (typeof reply[0] === 'string') return entries(reply[1]);
  return Array.isArray(reply[0]) ? entries(reply[0][1]) : [];
}
