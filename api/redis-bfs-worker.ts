/**
 * The exhaustive-bfs side of `hypsim worker --redis URL`: join every run listed in `hypsim:bfs:runs`, one at a
 * time, and expand the states of the level the coordinator names, in batches read through the level's consumer
 * group. Entries left pending longer than `reclaimAfterMs` (a dead worker's) are claimed first; recording a
 * batch is one script call (RECORD_LUA), so re-expanding a claimed entry adds nothing twice.
 */
import { hostname } from 'node:os';
import type Redis from 'ioredis';
import type { Checkable, World } from '../explore/checkable';
import { type BfsTask, BFS_GROUP, prefixOf, RECORD_LUA, RUNS, redisFingerprint } from './redis-bfs-keys';
import { expandBatch, type LevelEntry, newMemo, remember } from './redis-bfs-expand';
import { connect, entries, readReply } from './redis-keys';
import { PortableDecoder } from './portable-decode';
import { system } from './system';

/** Entries read per batch: one round trip and one script call each. */
const BATCH = 64;
/** How long a read waits for entries before looking at the level and `done` again (ms). */
const BLOCK_MS = 50;

export class RedisBfsWorker {
  private readonly r: Redis;
  private readonly consumer = `${hostname()}:${process.pid}`;
  private stopping = false;

  constructor(
    url: string,
    private readonly reclaimAfterMs: number,
    private readonly log: (s: string) => void,
  ) {
    this.r = connect(url);
    this.r.defineCommand('hypsimRecord', { numberOfKeys: 0, lua: RECORD_LUA });
  }

  stop(): void {
    this.stopping = true;
  }

  /** Resolves when stopped; rejects when Redis is lost. */
  async run(): Promise<void> {
    try {
      while (!this.stopping) {
        const runs = (await this.r.smembers(RUNS)).sort();
        let joined = false;
        for (const run of runs) if (!this.stopping && (await this.join(run))) joined = true;
        if (!joined) await new Promise((res) => setTimeout(res, 200));
      }
    } finally {
      this.r.disconnect();
    }
  }

  /** Work on one run until it is done; false if it was already done or had no task. */
  private async join(run: string): Promise<boolean> {
    const p = prefixOf(run);
    const [raw, over] = await Promise.all([this.r.get(`${p}:task`), this.over(p)]);
    // A run whose coordinator died stays listed: the first worker to see it so takes it off the list.
    if (raw === null || over) {
      if (!(await this.r.exists(`${p}:done`))) await this.r.srem(RUNS, run);
      return false;
    }
    const task = JSON.parse(raw) as BfsTask;
    const engine = system(task.config).engine({ symmetry: task.symmetry });
    const sys: Checkable<World> = engine;
    const fpOf = redisFingerprint(engine);
    const decoder = new PortableDecoder(engine, engine.actorCount);
    this.log(`hypsim worker ${this.consumer}: exhaustive bfs run ${run}`);
    let expanded = 0;
    const memo = newMemo();
    // The heartbeat key expires by itself: one written just after the run ended does not stay behind.
    const beat = async () => this.r.multi().hset(`${p}:alive`, this.consumer, String(Date.now())).pexpire(`${p}:alive`, 60_000).exec();
    await beat();
    let lastBeat = Date.now();
    while (!this.stopping) {
      if (Date.now() - lastBeat > 500) {
        await beat();
        lastBeat = Date.now();
      }
      // One round trip (ioredis pipelines commands issued together).
      const [over, level] = await Promise.all([this.over(p), this.r.get(`${p}:level`)]);
      if (over || level === null) break;
      const depth = Number(level);
      const batch = await this.take(`${p}:level:${depth}`);
      if (!batch.length) continue;
      const rec = await expandBatch(sys, batch, {
        memo,
        depth,
        por: task.por,
        maxDepth: task.maxDepth,
        fpOf,
        decode: (k) => decoder.decode(k),
        depthsOf: (fps) => this.depthsOf(p, fps),
        recorded: async (fps) => (await this.depthsOf(p, fps)).map((d) => d !== undefined),
      });
      const args = [p, String(depth), String(batch.length), ...rec.entries, String(rec.states.length / 4), ...rec.states];
      await (this.r as Redis & { hypsimRecord(...a: string[]): Promise<number> }).hypsimRecord(...args);
      remember(memo, rec);
      expanded += batch.length;
    }
    this.log(`hypsim worker ${this.consumer}: run ${run} over (${expanded} states expanded here)`);
    return true;
  }

  /** The run has its result, or its coordinator is gone (its key expired): nothing more to do for it. */
  private async over(p: string): Promise<boolean> {
    const [done, coordinator] = await Promise.all([this.r.exists(`${p}:done`), this.r.exists(`${p}:coordinator`)]);
    return done === 1 || coordinator === 0;
  }

  /** New entries, else a dead worker's stalled ones (a level ends only once both are done); none if the run's keys are gone. */
  private async take(stream: string): Promise<LevelEntry[]> {
    try {
      return await this.read(stream);
    } catch (e) {
      // The coordinator deletes a level's stream once it is expanded (a blocked read is then UNBLOCKED).
      if (/^(NOGROUP|UNBLOCKED)/.test(String((e as Error).message))) return [];
      throw e;
    }
  }

  private async read(stream: string): Promise<LevelEntry[]> {
    const fresh = await this.r.call('XREADGROUP', 'GROUP', BFS_GROUP, this.consumer, 'COUNT', String(BATCH), 'BLOCK', String(BLOCK_MS), 'STREAMS', stream, '>');
    let got = readReply(fresh);
    if (!got.length) {
      const stale = await this.r.call('XAUTOCLAIM', stream, BFS_GROUP, this.consumer, String(this.reclaimAfterMs), '0-0', 'COUNT', String(BATCH));
      got = entries(Array.isArray(stale) ? stale[1] : null);
      if (got.length) this.log(`hypsim worker ${this.consumer}: claimed ${got.length} stalled entr${got.length === 1 ? 'y' : 'ies'} of ${stream}`);
    }
    return got.map((e) => ({ id: e.id, k: e.fields.k, f: e.fields.f }));
  }

  private async depthsOf(p: string, fps: readonly string[]): Promise<(number | undefined)[]> {
    const pipe = this.r.pipeline();
    for (const f of fps) pipe.hget(`${p}:seen:${f.slice(0, 2)}`, f);
    const res = (await pipe.exec()) ?? [];
    return res.map(([e, v]) => {
      if (e) throw e;
      return typeof v === 'string' ? Number(v.split(' ')[0]) : undefined;
    });
  }
}
