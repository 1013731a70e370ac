/**
 * Swarm seeds on this machine: a pool of worker_threads (api/swarm-worker.ts), started lazily, one seed
 * a worker at a time. A cancelled seed's thread is terminated (a seed cannot be interrupted mid-walk).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SeedRunner } from '../explore/swarm';
import { InternalError } from '../util/errors';
import type { SeedJob, SeedResult, SwarmTask } from './swarm-task';

/** The compiled worker: beside this file in dist/, or dist/api/ when this file runs from source (tests). */
function workerFile(): string {
  const here = join(__dirname, 'swarm-worker.js');
  return existsSync(here) ? here : join(__dirname, '..', 'dist', 'api', 'swarm-worker.js');
}

interface Pending {
  worker: Worker;
  resolve: (r: SeedResult) => void;
  reject: (e: Error) => void;
}

export class SeedCancelled extends Error {
  override readonly name = 'SeedCancelled';
}

export class ThreadSeedRunner implements SeedRunner {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<number, Pending>();
  private readonly all = new Set<Worker>();

  constructor(
    private readonly task: SwarmTask,
    readonly parallel: number,
    /** Absolute deadline (performance.now() ms), if the swarm has one. */
    private readonly deadline?: number,
  ) {}

  private spawn(): Worker {
    const w = new Worker(workerFile(), { workerData: this.task });
    this.all.add(w);
    w.on('message', (m: { seed: number; result?: SeedResult; error?: string }) => {
      const p = this.busy.get(m.seed);
      if (!p) return;
      this.busy.delete(m.seed);
      this.idle.push(w);
      if (m.result) p.resolve(m.result);
      else p.reject(new InternalError(`swarm worker, seed ${m.seed}: ${m.error}`));
    });
    // A thread that dies (not by cancel) fails its seed: the swarm reports it rather than waiting forever.
    const fail = (why: string) => {
      this.all.delete(w);
      for (const [seed, p] of this.busy)
        if (p.worker === w) {
          this.busy.delete(seed);
          p.reject(new InternalError(`swarm worker for seed ${seed} ${why}`));
        }
    };
    w.on('error', (e) => fail(`failed: ${e.message}`));
    w.on('exit', (code) => fail(`exited with code ${code}`));
    return w;
  }

  /** Run `seed`; `maxSeconds` (a Redis job's own deadline) overrides the pool's. */
  run(seed: number, maxSeconds?: number): Promise<SeedResult> {
    const w = this.idle.pop() ?? this.spawn();
    const job: SeedJob = { seed };
    if (maxSeconds !== undefined) job.maxSeconds = Math.max(1e-3, maxSeconds);
    else if (this.deadline !== undefined) job.maxSeconds = Math.max(1e-3, (this.deadline - performance.now()) / 1000);
    return new Promise((resolve, reject) => {
      this.busy.set(seed, { worker: w, resolve, reject });
      w.postMessage(job);
    });
  }

  cancel(seed: number): void {
    const p = this.busy.get(seed);
    if (!p) return;
    this.busy.delete(seed);
    this.all.delete(p.worker);
    void p.worker.terminate();
    p.reject(new SeedCancelled(`seed ${seed} cancelled`));
  }

  async close(): Promise<void> {
    const ws = [...this.all];
    this.all.clear();
    await Promise.all(ws.map((w) => w.terminate()));
  }
}
