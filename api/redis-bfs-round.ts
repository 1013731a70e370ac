/**
 * One level-synchronous bfs over Redis, driven by the coordinator: put the root on level 0, then for each depth d
 * open the level (its consumer group, then `level` = d), wait until every state of the level is acknowledged
 * (`acked[d] = count[d]`, both counted by RECORD_LUA), and look at the violations: quiescence ones of depth d,
 * then safety ones of depth d + 1, as the one-process bfs reports them (least depth first; the least portable key
 * among equals, whatever the timing). Ends verified when a level adds nothing, or at a limit, never waiting forever:
 * no sign of a worker for `timeoutMs`, or Redis failing, ends it with a reason.
 */
import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import type { Checkable, World } from '../explore/checkable';
import { preferFound } from '../explore/level-sync';
import {
  type BfsTask,
  BFS_GROUP,
  COORDINATOR_TTL_MS,
  DONE_LINGER_S,
  prefixOf,
  RECORD_LUA,
  type RecordedViolation,
  RUNS,
  redisFingerprint,
} from './redis-bfs-keys';

export interface RoundOptions {
  task: BfsTask;
  /** No sign of life from any worker for this long while a level is open: stop (ms). */
  timeoutMs: number;
  /** performance.now() deadline (--max-seconds). */
  deadline?: number;
  interrupt?: { readonly aborted: boolean };
  log: (s: string) => void;
}

/** A violation the round chose: the least portable key among those of least depth. */
export type Found = RecordedViolation & { depth: number };

export type RoundEnd =
  | { kind: 'complete' }
  | { kind: 'violation'; found: Found }
  | { kind: 'limit'; by: 'max-seconds' | 'interrupted' | 'no-workers'; reason: string };

export interface RoundResult {
  end: RoundEnd;
  run: string;
  states: number;
  transitions: number;
  depth: number;
  /** Redis memory the run's keys took at their largest, per state (bytes). */
  redisBytesPerState: number | null;
  /** Workers that sent a heartbeat. */
  workers: number;
}

type Recorder = Redis & { hypsimRecord(...a: string[]): Promise<number> };

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

async function usedMemory(r: Redis): Promise<number> {
  const info = await r.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

export class LevelRound {
  readonly run = randomBytes(8).toString('hex');
  private readonly p = prefixOf(this.run);
  private readonly r: Recorder;
  private readonly alive = new Map<string, string>();
  private lastLife = Date.now();
  private states = 0;
  private transitions = 0;
  private depth = 0;
  private peakBytes = 0;
  private baseBytes = 0;

  constructor(
    redis: Redis,
    private readonly sys: Checkable<World>,
    private readonly o: RoundOptions,
  ) {
    redis.defineCommand('hypsimRecord', { numberOfKeys: 0, lua: RECORD_LUA });
    this.r = redis as Recorder;
  }

  async search(): Promise<RoundResult> {
    this.baseBytes = await usedMemory(this.r);
    await this.r.set(`${this.p}:task`, JSON.stringify(this.o.task));
    await this.r.call('XGROUP', 'CREATE', `${this.p}:level:0`, BFS_GROUP, '0', 'MKSTREAM');
    const root = this.sys.initial();
    const k = this.sys.portableKey(root);
    const f = redisFingerprint(this.sys)(root);
    const v = this.sys.violation(root);
    const viol = v ? JSON.stringify({ k, f, invariant: v.invariant, message: v.message }) : '';
    await this.r.hypsimRecord(this.p, '-1', '0', '1', f, '-', k, viol);
    this.states = 1;
    if (v) return this.result({ kind: 'violation', found: { k, f, invariant: v.invariant, message: v.message, depth: 0 } });
    await this.r.set(`${this.p}:coordinator`, '1', 'PX', COORDINATOR_TTL_MS);
    await this.r.sadd(RUNS, this.run);
    for (let d = 0; ; d++) {
      const stop = await this.level(d);
      if (stop) return this.result(stop);
      const [count, trans] = await Promise.all([this.r.hget(`${this.p}:count`, String(d + 1)), this.r.hget(`${this.p}:trans`, String(d))]);
      this.transitions += Number(trans ?? 0);
      this.peakBytes = Math.max(this.peakBytes, await usedMemory(this.r));
      const added = Number(count ?? 0);
      this.states += added;
      if (added) this.depth = d + 1;
      const found = (await this.violations(`qviol:${d}`, d, true)) ?? (await this.violations(`viol:${d + 1}`, d + 1, false));
      if (found) return this.result({ kind: 'violation', found });
      if (!added) return this.result({ kind: 'complete' });
      this.o.log(`  … depth ${d + 1}: ${added} new state${added === 1 ? '' : 's'}, ${this.states} in all`);
      // The expanded level is no longer needed: its states are in the visited set.
      await this.r.del(`${this.p}:level:${d}`);
      await this.r.call('XGROUP', 'CREATE', `${this.p}:level:${d + 1}`, BFS_GROUP, '0', 'MKSTREAM');
    }
  }

  /** Open level d and wait for it to be expanded; a limit ends it. */
  private async level(d: number): Promise<RoundEnd | null> {
    await this.r.set(`${this.p}:level`, String(d));
    for (let i = 0; ; i++) {
      const [count, acked] = await Promise.all([this.r.hget(`${this.p}:count`, String(d)), this.r.hget(`${this.p}:acked`, String(d))]);
      if (Number(acked ?? 0) >= Number(count ?? 0)) return null;
      if (this.o.interrupt?.aborted) return { kind: 'limit', by: 'interrupted', reason: 'interrupted' };
      if (this.o.deadline !== undefined && performance.now() > this.o.deadline) return { kind: 'limit', by: 'max-seconds', reason: 'max-seconds' };
      if (i % 10 === 0) await this.checkLife();
      if (Date.now() - this.lastLife > this.o.timeoutMs) {
        const s = this.o.timeoutMs / 1000;
        return { kind: 'limit', by: 'no-workers', reason: `no \`hypsim worker --redis\` alive for ${s} s (--redis-timeout) with depth ${d} open` };
      }
      await sleep(i < 50 ? 2 : 20);
    }
  }

  /** A worker is alive if its heartbeat changed since we last looked (by our clock: other machines' clocks may differ). */
  private async checkLife(): Promise<void> {
    await this.r.set(`${this.p}:coordinator`, '1', 'PX', COORDINATOR_TTL_MS);
    const beats = await this.r.hgetall(`${this.p}:alive`);
    for (const [c, t] of Object.entries(beats)) {
      if (this.alive.get(c) !== t) this.lastLife = Date.now();
      this.alive.set(c, t);
    }
  }

  private async violations(hash: string, depth: number, keyedByJson: boolean): Promise<(RecordedViolation & { depth: number }) | null> {
    const all = await this.r.hgetall(`${this.p}:${hash}`);
    const found = Object.entries(all).map(([field, value]) => JSON.parse(keyedByJson ? field : value) as RecordedViolation);
    // The least portable key among those of this depth, as every level-synchronous search chooses (level-sync.ts).
    const best = found.reduce<(Found & { key: string }) | undefined>((a, v) => preferFound(a, { ...v, depth, key: v.k }), undefined);
    return best ?? null;
  }

  private async result(end: RoundEnd): Promise<RoundResult> {
    // Workers leave a run once it is done; its visited set stays until `close` (the counterexample is rebuilt from it).
    await this.r.set(`${this.p}:done`, '1');
    await this.r.srem(RUNS, this.run);
    const bytes = this.peakBytes - this.baseBytes;
    return {
      end,
      run: this.run,
      states: this.states,
      transitions: this.transitions,
      depth: this.depth,
      redisBytesPerState: bytes > 0 && this.states ? +(bytes / this.states).toFixed(1) : null,
      workers: this.alive.size,
    };
  }

  /** The fingerprints from the root to `f`, by the parents recorded in the visited set. */
  async pathTo(f: string): Promise<string[]> {
    const path = [f];
    for (let at = f; ; ) {
      const v = await this.r.hget(`${this.p}:seen:${at.slice(0, 2)}`, at);
      if (v === null) throw new Error(`the visited set in Redis lost state ${at}`);
      const parent = v.split(' ')[1];
      if (parent === '-') return path.reverse();
      path.push(parent);
      at = parent;
    }
  }

  /** Remove the run's keys but `done`, which expires later (a late worker's batch must still see it). */
  async close(): Promise<void> {
    await this.r.set(`${this.p}:done`, '1', 'EX', DONE_LINGER_S);
    let cursor = '0';
    do {
      const [next, found] = await this.r.scan(cursor, 'MATCH', `${this.p}:*`, 'COUNT', 1000);
      const keys = found.filter((k) => k !== `${this.p}:done`);
      if (keys.length) await this.r.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
}
