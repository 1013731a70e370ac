/**
 * Exhaustive bfs over Redis: a real redis-server, 3 `hypsim worker` processes, the coordinator
 * (`hypsim explore --redis URL`). Verdicts, states, transitions, depth and counterexample length equal the
 * one-process bfs; a consumer that takes entries and never acknowledges them (a dead worker) has them
 * claimed by the others; a worker SIGKILLed mid-run changes nothing; Redis lost or no worker alive ends the
 * run incomplete (exit 3), never a hang.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { BFS_GROUP, prefixOf, RUNS } from '../../api/redis-bfs-keys';
import { bin } from '../cli/helpers';
import { jsonLine, type Proc, start, startRedis, until, workerPool } from './redis-procs';
import { cli } from './run-cli';

jest.setTimeout(120_000);

const { workers, worker } = workerPool(bin);

/** Three live workers (tests may run alone: `-t`). */
const threeWorkers = (url: string) => {
  while (workers.filter((w) => w.child.exitCode === null && !w.child.killed).length < 3) worker(url);
};

async function coordinate(args: string[]): Promise<{ code: number | null; o: any; text: string }> {
  const p = start(process.execPath, [bin, 'explore', ...args, '--json']);
  const code = await p.exited;
  const text = p.output();
  return { code, o: jsonLine(text), text };
}

/** What must equal between the one-process and the distributed bfs. */
function figures(o: any) {
  const v = o.violation;
  return { result: o.result, ...o.stats, seconds: 0, peakMemoryMB: 0, invariant: v?.invariant, steps: v ? v.trace[v.trace.length - 1].step : null };
}

async function oneProcess(args: string[]) {
  return JSON.parse((await cli('explore', ...args, '--json', '--quiet')).stdout);
}

const designs = [
  ['--design', 'trampoline', '--cpus', '3', '--hotplug', '1', '--vms', '1'],
  ['--design', 'legacy', '--cpus', '2'],
  ['--design', 'no-tlbi', '--cpus', '3'],
  ['--design', 'free-boot-pgd', '--cpus', '3', '--hotplug', '1', '--no-por'],
];

describe('exhaustive bfs over Redis', () => {
  let redis: { url: string; proc: Proc };
  let client: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    if (client.status !== 'end') client.disconnect();
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    if (redis.proc.child.exitCode === null) redis.proc.child.kill('SIGKILL');
    await Promise.all([redis.proc.exited, ...workers.map((w) => w.exited)]);
  });

  test('entries taken by a consumer that never acknowledges them (a dead worker) are claimed, and the result is exact', async () => {
    const args = ['--design', 'trampoline', '--cpus', '3', '--hotplug', '1'];
    const run = coordinate([...args, '--quiet', '--redis', redis.url]);
    let id: string | undefined;
    for (const t0 = Date.now(); !id && Date.now() - t0 < 30_000; await new Promise((r) => setTimeout(r, 20))) [id] = await client.smembers(RUNS);
    // The zombie takes the root, the only entry of depth 0, before any worker exists: only a claim can expand it.
    const taken = await client.call('XREADGROUP', 'GROUP', BFS_GROUP, 'zombie', 'COUNT', '1', 'STREAMS', `${prefixOf(id!)}:level:0`, '>');
    expect(JSON.stringify(taken)).toContain('"k"');
    for (let i = 0; i < 3; i++) worker(redis.url);
    const r = await run;
    expect(r.code).toBe(0);
    expect(figures(r.o)).toEqual(figures(await oneProcess(args)));
    expect(r.o.distributed).toMatchObject({ workers: 3 });
    expect(workers.some((w) => /claimed 1 stalled entry/.test(w.output()))).toBe(true);
  });

  test('3 workers: verdict, states, transitions, depth and counterexample length equal the one-process bfs; the trace replays', async () => {
    threeWorkers(redis.url);
    const dir = mkdtempSync(join(tmpdir(), 'hypsim-redis-bfs-'));
    for (const [i, args] of designs.entries()) {
      const one = await oneProcess(args);
      const file = join(dir, `t${i}.json`);
      const r = await coordinate([...args, '--quiet', '--redis', redis.url, ...(one.violation ? ['--trace-out', file] : [])]);
      expect({ args, ...figures(r.o) }).toEqual({ args, ...figures(one) });
      expect(r.code).toBe(one.violation ? 1 : 0);
      if (one.violation) {
        expect(r.o.violation.shortest).toBe(true);
        expect((await cli('replay', file, '--quiet')).code).toBe(1);
      }
    }
    // Finished runs leave only their expiring `done` keys (and heartbeats, which expire too).
    const left = (await client.keys('hypsim:bfs:*')).filter((k) => !/:(done|alive)$/.test(k));
    expect(left).toEqual([]);
  });

  test('a worker SIGKILLed mid-run: the others take over, the result is still exact', async () => {
    threeWorkers(redis.url);
    const args = ['--design', 'trampoline', '--cpus', '5', '--hotplug', '2'];
    const victim = workers.find((w) => !w.child.killed)!;
    const run = start(process.execPath, [bin, 'explore', ...args, '--json', '--redis', redis.url]);
    const joined = victim.output().split('exhaustive bfs run').length;
    await until(() => /depth 30:/.test(run.output()), 'the search to reach depth 30');
    // The victim is working on this run when it dies.
    expect(victim.output().split('exhaustive bfs run').length).toBe(joined + 1);
    victim.child.kill('SIGKILL');
    expect(await run.exited).toBe(0);
    const o = jsonLine(run.output());
    expect(figures(o)).toEqual(figures(await oneProcess(args)));
  });

  test('a coordinator SIGKILLed mid-run: workers leave its run (its key expires) and serve the next one', async () => {
    threeWorkers(redis.url);
    const dead = start(process.execPath, [bin, 'explore', '--design', 'trampoline', '--cpus', '5', '--hotplug', '2', '--json', '--redis', redis.url]);
    await until(() => /depth 10:/.test(dead.output()), 'the search to reach depth 10');
    dead.child.kill('SIGKILL');
    await dead.exited;
    const args = ['--design', 'legacy', '--cpus', '2'];
    const r = await coordinate([...args, '--quiet', '--redis', redis.url]);
    expect(figures(r.o)).toEqual(figures(await oneProcess(args)));
  });

  test('no worker alive: incomplete after --redis-timeout (exit 3), with the reason', async () => {
    const alone = await startRedis();
    try {
      const r = await coordinate(['--design', 'legacy', '--cpus', '2', '--quiet', '--redis', alone.url, '--redis-timeout', '1']);
      expect(r.code).toBe(3);
      expect(r.o).toMatchObject({ result: 'incomplete', stoppedBy: 'no-workers' });
      expect(r.o.distributed.reason).toMatch(/^no `hypsim worker --redis` alive for 1 s/);
    } finally {
      alone.proc.child.kill('SIGKILL');
      await alone.proc.exited;
    }
  });

  test('Redis lost mid-run: incomplete (exit 3) with the reason, workers exit 3', async () => {
    await client.quit();
    threeWorkers(redis.url);
    const run = start(process.execPath, [bin, 'explore', '--design', 'trampoline', '--cpus', '5', '--hotplug', '2', '--json', '--redis', redis.url]);
    await until(() => /depth 20:/.test(run.output()), 'the search to reach depth 20');
    redis.proc.child.kill('SIGKILL');
    expect(await run.exited).toBe(3);
    const o = jsonLine(run.output());
    expect(o).toMatchObject({ result: 'incomplete', stoppedBy: 'redis-lost' });
    expect(o.distributed.reason).toMatch(/^Redis lost/);
    for (const w of workers.filter((x) => !x.child.killed)) expect(await w.exited).toBe(3);
  });

  test('bad input: one line, exit 2', async () => {
    const sys = ['explore', '--design', 'legacy', '--cpus', '2', '--redis', 'redis://127.0.0.1:1'];
    expect(await cli(...sys, '--strategy', 'dfs')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^hypsim explore: --redis runs bfs or random\/pct, not dfs/),
    });
    expect(await cli(...sys, '--max-states', '10')).toMatchObject({
      code: 2,
      stderr: 'hypsim explore: --max-states does nothing with --redis (the states live in Redis)\n',
    });
    expect(await cli(...sys, '--workers', '2')).toMatchObject({ code: 2 });
    expect(await cli(...sys, '--redis-timeout', '0')).toMatchObject({ code: 2 });
    expect(await cli('explore', '--design', 'legacy', '--cpus', '2', '--redis-timeout', '5')).toMatchObject({ code: 2 });
  });
});
