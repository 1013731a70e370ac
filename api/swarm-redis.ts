/**
 * Swarm seeds through Redis: the coordinator (`hypsim explore … --redis URL`) stores the task, puts
 * every seed on the jobs stream in order and collects results from a list; `hypsim worker --redis URL`
 * processes do the runs (api/redis-worker.ts). If Redis stops answering, every pending seed fails with
 * RedisLostError and the swarm ends `incomplete` with the reason.
 */
import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import type { SeedRunner } from '../explore/swarm';
import { cancelKey, connect, doneKey, ensureGroup, JOBS, RedisLostError, resultsKey, taskKey } from './redis-keys';
import type { SeedResult, SwarmTask } from './swarm-task';

interface Pending {
  resolve: (r: SeedResult) => void;
  reject: (e: Error) => void;
}

/** Seeds queued at once: all of a swarm's seeds up to this (workers take them in stream order). */
const QUEUED = 1024;
/** Keys of a finished run linger this long (seconds) for late workers to see `done`. */
const LINGER = 600;

export class RedisSeedRunner implements SeedRunner<SeedResult> {
  readonly parallel = QUEUED;
  readonly label: string;
  readonly run_: string = randomBytes(8).toString('hex');
  private readonly cmd: Redis;
  private readonly block: Redis;
  private readonly pending = new Map<number, Pending>();
  private ready: Promise<void> | null = null;
  private polling = false;
  private lost: RedisLostError | null = null;
  private lastNews = Date.now();
  /** The connection's last error (e.g. ECONNREFUSED): a better reason than "max retries reached". */
  private lastError: string | null = null;
  private reached = false;

  constructor(
    url: string,
    private readonly task: SwarmTask,
    /** Absolute deadline (Date.now() ms) given to the workers, if the swarm has one. */
    private readonly deadline?: number,
    private readonly log: (s: string) => void = () => undefined,
  ) {
    this.label = `Redis ${url.replace(/\/\/[^@/]*@/, '//…@')} (hypsim worker processes)`;
    this.cmd = connect(url);
    this.block = connect(url);
    this.cmd.on('error', (e: Error) => (this.lastError = e.message));
  }

  /** For exploreSwarm's `runner` option: performance.now() deadlines become wall-clock ones for other machines. */
  static factory(url: string, log?: (s: string) => void) {
    return (task: SwarmTask, deadline?: number) => {
      const wall = deadline === undefined ? undefined : Date.now() + (deadline - performance.now());
      return new RedisSeedRunner(url, task, wall, log);
    };
  }

  private start(): Promise<void> {
    this.ready ??= (async () => {
      await ensureGroup(this.cmd);
      await this.cmd.set(taskKey(this.run_), JSON.stringify(this.task), 'EX', 7 * 86400);
      this.reached = true;
    })();
    return this.ready;
  }

  private fail(e: unknown): RedisLostError {
    const why = this.lastError ?? String((e as Error)?.message ?? e).split('. ')[0];
    this.lost ??= new RedisLostError(this.reached ? `Redis lost (${why})` : `Redis not reachable (${why})`);
    for (const p of this.pending.values()) p.reject(this.lost);
    this.pending.clear();
    return this.lost;
  }

  run(seed: number): Promise<SeedResult> {
    if (this.lost) return Promise.reject(this.lost);
    const p = new Promise<SeedResult>((resolve, reject) => this.pending.set(seed, { resolve, reject }));
    const fields = ['run', this.run_, 'seed', String(seed), ...(this.deadline !== undefined ? ['deadline', String(this.deadline)] : [])];
    this.start()
      .then(() => this.cmd.call('XADD', JOBS, '*', ...fields))
      .then(() => this.poll())
      .catch((e) => this.fail(e));
    return p;
  }

  /** One loop reads results while seeds are pending; it says so when no worker seems to be there. */
  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      while (this.pending.size && !this.lost) {
        const reply = await this.block.call('BLPOP', resultsKey(this.run_), '1');
        if (Array.isArray(reply) && typeof reply[1] === 'string') this.accept(reply[1]);
        else if (Date.now() - this.lastNews > 30_000) {
          this.lastNews = Date.now();
          this.log(`hypsim: no seed result for 30 s: are \`hypsim worker --redis …\` processes running?`);
        }
      }
    } catch (e) {
      this.fail(e);
    } finally {
      this.polling = false;
    }
  }

  private accept(raw: string): void {
    this.lastNews = Date.now();
    const m = JSON.parse(raw) as { seed: number; result?: SeedResult; error?: string };
    const p = this.pending.get(m.seed);
    if (!p) return; // a duplicate (a reclaimed job whose first worker was only slow) or a cancelled seed
    this.pending.delete(m.seed);
    if (m.result) p.resolve(m.result);
    else p.reject(new Error(`worker, seed ${m.seed}: ${m.error}`));
  }

  cancel(seed: number): void {
    const p = this.pending.get(seed);
    if (!p) return;
    this.pending.delete(seed);
    this.cmd.sadd(cancelKey(this.run_), String(seed)).catch(() => undefined);
    p.reject(new Error(`seed ${seed} cancelled`));
  }

  async close(): Promise<void> {
    if (!this.lost) {
      try {
        const run = this.run_;
        await this.cmd.multi().set(doneKey(run), '1', 'EX', LINGER).expire(taskKey(run), LINGER).expire(cancelKey(run), LINGER).del(resultsKey(run)).exec();
      } catch {
        // Redis already gone: nothing left to tidy.
      }
    }
    this.cmd.disconnect();
    this.block.disconnect();
  }
}
