/** `hypsim worker --redis URL`: join swarms coordinated through Redis (docs/scale.md). */
import { availableParallelism } from 'node:os';
import { RedisBfsWorker } from '../api/redis-bfs-worker';
import { RedisWorker } from '../api/redis-worker';
import { checkRedisUrl } from '../api/redis-keys';
import { InputError } from '../util/errors';
import { parseArgs } from './args';

export const workerHelp = `hypsim worker --redis URL [--threads N] [--reclaim-after S]
  runs seeds of \`hypsim explore --strategy random|pct --redis URL\` swarms, and expands states of
  \`hypsim explore --strategy bfs --redis URL\` searches (one at a time, in this process), until stopped (Ctrl-C)
  --threads N           seeds run at once (default: the machine's cores)
  --reclaim-after S     take over a seed job, or bfs states, left pending S seconds by a dead worker (default 30)
exit: 0 stopped, 2 bad input, 3 Redis lost`;

export async function workerCommand(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const p = parseArgs(argv, { redis: 'string', threads: 'int', 'reclaim-after': 'number', help: 'bool' }, 'worker');
  if (p.flags.help) {
    out(workerHelp);
    return 0;
  }
  if (p.positional.length) throw new InputError(`hypsim worker: unexpected argument "${p.positional[0]}"`);
  const url = p.flags.redis;
  if (typeof url !== 'string') throw new InputError('hypsim worker: --redis URL is required');
  checkRedisUrl(url);
  const threads = (p.flags.threads as number | undefined) ?? availableParallelism();
  const reclaim = (p.flags['reclaim-after'] as number | undefined) ?? 30;
  if (threads < 1) throw new InputError(`hypsim worker: --threads must be positive, got ${threads}`);
  if (!(reclaim > 0)) throw new InputError(`hypsim worker: --reclaim-after must be positive, got ${reclaim}`);
  const w = new RedisWorker(url, { threads, reclaimAfterMs: reclaim * 1000, log: err });
  const bfs = new RedisBfsWorker(url, reclaim * 1000, err);
  const stop = () => {
    w.stop();
    bfs.stop();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    // Either side losing Redis stops the other: the process exits 3 once both are over.
    const sides = [w.run(), bfs.run()].map((p) =>
      p.catch((e: Error) => {
        stop();
        return e;
      }),
    );
    const lost = (await Promise.all(sides)).find((e) => e instanceof Error);
    if (lost) throw lost;
    return 0;
  } catch (e) {
    err(`hypsim worker: Redis lost: ${(e as Error).message}`);
    return 3;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
