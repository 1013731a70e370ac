/**
 * `hypsim worker --redis URL`: take swarm seeds from the Redis jobs stream (api/redis-keys.ts) and run
 * them on worker threads, `threads` at a time. Each slot reclaims jobs idle longer than `reclaimAfterMs`
 * (a dead worker's) before reading new ones; a heartbeat keeps this worker's own running jobs from
 * looking idle. Runs until stopped (SIGINT/SIGTERM: exit 0) or Redis is lost (exit 3).
 */
import { hostname } from 'node:os';
import type Redis from 'ioredis';
import { cancelKey, connect, doneKey, ensureGroup, entries, GROUP, JOBS, readReply, resultsKey, taskKey } from './redis-keys';
import type { SwarmTask } from './swarm-task';
import { ThreadSeedRunner } from './swarm-threads';

export interface WorkerOptions {
  threads: number;
  /** A job pending this long without a heartbeat belongs to a dead worker (default 30 s). */
  reclaimAfterMs?: number;
  log?: (s: string) => void;
}

export class RedisWorker {
  private readonly cmd: Redis;
  private readonly consumer = `${hostname()}:${process.pid}`;
  private readonly running = new Set<string>();
  /** Per swarm run: its task and a thread pool for it. */
  private readonly runs = new Map<string, Promise<{ runner: ThreadSeedRunner } | null>>();
  private stopping = false;
  private lost: Error | null = null;
  private readonly reclaimAfter: number;
  private readonly log: (s: string) => void;

  constructor(
    private readonly url: string,
    private readonly opts: WorkerOptions,
  ) {
    this.cmd = connect(url);
    this.reclaimAfter = opts.reclaimAfterMs ?? 30_000;
    this.log = opts.log ?? (() => undefined);
  }

  /** Resolves when stopped; rejects when Redis is lost. */
  async run(): Promise<void> {
    await ensureGroup(this.cmd);
    this.log(`hypsim worker ${this.consumer}: waiting for seeds on ${JOBS} (${this.opts.threads} thread${this.opts.threads === 1 ? '' : 's'})`);
    const beat = setInterval(() => void this.heartbeat(), Math.max(100, this.reclaimAfter / 3));
    try {
      await Promise.all(Array.from({ length: this.opts.threads }, () => this.slot()));
    } catch (e) {
      throw this.lost ?? e;
    } finally {
      clearInterval(beat);
      for (const r of this.runs.values()) await (await r)?.runner.close();
      this.cmd.disconnect();
    }
  }

  stop(): void {
    this.stopping = true;
  }

  /** Reset the idle time of this worker's running jobs, so nobody reclaims them. */
  private async heartbeat(): Promise<void> {
    try {
      await this.cmd.ping();
      for (const id of this.running) await this.cmd.call('XCLAIM', JOBS, GROUP, this.consumer, '0', id, 'JUSTID');
    } catch (e) {
      // Redis is gone: results could not be delivered, so running seeds are stopped now rather than at their end.
      this.lost ??= e as Error;
      this.stopping = true;
      for (const r of this.runs.values()) void r.then((x) => x?.runner.close());
    }
  }

  private async slot(): Promise<void> {
    const reader = connect(this.url);
    try {
      while (!this.stopping) {
        const stale = await this.cmd.call('XAUTOCLAIM', JOBS, GROUP, this.consumer, String(this.reclaimAfter), '0-0', 'COUNT', '1');
        let jobs = entries(Array.isArray(stale) ? stale[1] : null);
        if (jobs.length) this.log(`hypsim worker ${this.consumer}: reclaimed a stalled job (seed ${jobs[0].fields.seed})`);
        else {
          const fresh = await reader.call('XREADGROUP', 'GROUP', GROUP, this.consumer, 'COUNT', '1', 'BLOCK', '1000', 'STREAMS', JOBS, '>');
          jobs = readReply(fresh);
        }
        for (const j of jobs) await this.job(j.id, j.fields);
      }
    } finally {
      reader.disconnect();
    }
  }

  private async job(id: string, f: Record<string, string>): Promise<void> {
    const run = f.run;
    const seed = Number(f.seed);
    this.running.add(id);
    try {
      const skip = !run || !Number.isInteger(seed) || (await this.cmd.exists(doneKey(run))) || (await this.cmd.sismember(cancelKey(run), String(seed)));
      const pool = skip ? null : await this.pool(run);
      if (pool) {
        this.log(`hypsim worker ${this.consumer}: seed ${seed} of run ${run}`);
        const maxSeconds = f.deadline ? (Number(f.deadline) - Date.now()) / 1000 : undefined;
        const msg = await pool.runner.run(seed, maxSeconds).then(
          (result) => ({ seed, result }),
          (e: Error) => ({ seed, error: e.message }),
        );
        await this.cmd.rpush(resultsKey(run), JSON.stringify(msg));
      }
      await this.cmd.call('XACK', JOBS, GROUP, id);
      await this.cmd.call('XDEL', JOBS, id);
    } finally {
      this.running.delete(id);
    }
  }

  private async pool(run: string): Promise<{ runner: ThreadSeedRunner } | null> {
    let p = this.runs.get(run);
    if (!p) {
      // Runs already finished give their threads back first.
      for (const [r, q] of this.runs) {
        if (!(await this.cmd.exists(doneKey(r)))) continue;
        this.runs.delete(r);
        void q.then((x) => x?.runner.close());
      }
      p = this.cmd.get(taskKey(run)).then((raw) => (raw === null ? null : { runner: new ThreadSeedRunner(JSON.parse(raw) as SwarmTask, this.opts.threads) }));
      this.runs.set(run, p);
    }
    return p;
  }
}
