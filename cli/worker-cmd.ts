/** `hypsim worker --redis URL`: join swarms coordinated through Redis (docs/scale.md). */
import { availableParallelism } from 'node:os';
import { RedisWorker } from '../api/redis-worker';
import { checkRedisUrl } from '../api/redis-keys';
import { InputError } from '../util/errors';
import { parseArgs } from './args';

export const workerHelp = `hypsim worker --redis URL [--threads N] [--reclaim-after S]
  runs seeds of \`hypsim explore --strategy random|pct --redis URL\` swarms until stopped (Ctrl-C)
  --threads N           seeds run at once (default: the machine's cores)
  --reclaim-after S     take over a job left pending S seconds by a dead worker (default 30)
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
  const stop = () => w.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await w.run();
    return 0;
  } catch (e) {
    err(`hypsim worker: Redis lost: ${(e as Error).message}`);
    return 3;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
