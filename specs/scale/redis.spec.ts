/**
 * Swarms over Redis: a real redis-server on a free loopback port, `hypsim worker` processes, the
 * coordinator; results equal the one-machine swarm's, a killed worker's seed is taken over, a lost
 * Redis ends the run `incomplete` (exit 3) instead of hanging.
 */
import { spawnSync } from 'node:child_process';
import { bin } from '../cli/helpers';
import { jsonLine, type Proc, start, startRedis, until, workerPool } from './redis-procs';
import { cli } from './run-cli';

// Several node processes start per test: generous limits for a loaded 2-core machine (a run takes 10-50 s).
jest.setTimeout(120_000);

const { workers, worker } = workerPool(bin);

/** The coordinator, asynchronously (workers run meanwhile). */
async function coordinate(args: string[]): Promise<{ code: number | null; o: any; text: string }> {
  const p = start(process.execPath, [bin, ...args]);
  const code = await p.exited;
  const text = p.output();
  let o = null;
  try {
    o = jsonLine(text);
  } catch {
    // not JSON: the test reads `text`
  }
  return { code, o, text };
}

const bugArgs = [
  'explore',
  '--design',
  'tlbi-before-switch',
  '--cpus',
  '3',
  '--hotplug',
  '1',
  '--vms',
  '1',
  '--walks',
  '1',
  '--strategy',
  'random',
  '--seeds',
  '6',
  '--json',
  '--quiet',
];
// No bug here, so every seed runs: 6 seeds of 150 walks, a second or two each on this machine.
const longArgs = [
  'explore',
  '--design',
  'trampoline',
  '--cpus',
  '3',
  '--hotplug',
  '2',
  '--vms',
  '1',
  '--walks',
  '150',
  '--strategy',
  'random',
  '--seeds',
  '6',
  '--json',
  '--quiet',
];

describe('a swarm over Redis', () => {
  let redis: { url: string; proc: Proc };
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    if (redis.proc.child.exitCode === null) redis.proc.child.kill('SIGKILL');
    await Promise.all([redis.proc.exited, ...workers.map((w) => w.exited)]);
  });

  test('3 worker processes find what the worker threads find: same seed, same trace, same figures', async () => {
    for (let i = 0; i < 3; i++) worker(redis.url);
    const threads = JSON.parse((await cli(...bugArgs, '--workers', '2')).stdout);
    const r = await coordinate([...bugArgs, '--redis', redis.url]);
    expect(r.code).toBe(1);
    expect(threads.swarm.foundBySeed).not.toBeNull();
    expect(r.o.swarm).toMatchObject({ foundBySeed: threads.swarm.foundBySeed, seedsRun: threads.swarm.seedsRun, runners: expect.stringContaining('Redis') });
    expect(r.o.violation).toEqual(threads.violation);
    expect(r.o.stats.transitions).toBe(threads.stats.transitions);
  });

  test('a worker killed mid-seed: its seed is reclaimed by another and the result is still exact', async () => {
    const victim = workers[0];
    const seen = victim.output().length;
    const run = coordinate([...longArgs, '--redis', redis.url]);
    await until(() => /seed \d+ of run/.test(victim.output().slice(seen)), 'the victim to take a seed');
    victim.child.kill('SIGKILL');
    const r = await run;
    const threads = JSON.parse((await cli(...longArgs, '--workers', '2')).stdout);
    expect(r.code).toBe(3);
    expect(r.o.swarm).toMatchObject({ foundBySeed: null, seedsRun: 6 });
    expect(r.o.stats.transitions).toBe(threads.stats.transitions);
    expect(r.o.stats.states).toBe(threads.stats.states);
    expect(workers.slice(1).some((w) => /reclaimed a stalled job/.test(w.output()))).toBe(true);
  });

  test('Redis lost mid-run: the coordinator ends incomplete with the reason (exit 3), workers exit 3', async () => {
    const live = workers.slice(1);
    const before = live.map((w) => w.output().length);
    const started = () =>
      live.reduce(
        (n, w, i) =>
          n +
          (
            w
              .output()
              .slice(before[i])
              .match(/seed \d+ of run/g) ?? []
          ).length,
        0,
      );
    // Main's parser refuses a flag given twice: twelve seeds replace longArgs' six.
    const run = coordinate([...longArgs.map((a, i) => (longArgs[i - 1] === '--seeds' ? '12' : a)), '--redis', redis.url]);
    // Two seeds under way, ten to go (a second or so each): Redis dies mid-run.
    await until(() => started() >= 2, 'seeds to be running');
    redis.proc.child.kill('SIGKILL');
    const r = await run;
    expect(r.code).toBe(3);
    expect(r.o.result).toBe('incomplete');
    expect(r.o.stoppedBy).toBe('redis-lost');
    expect(r.o.swarm.reason).toMatch(/^Redis lost/);
    for (const w of live) expect(await w.exited).toBe(3);
  });

  test('bad input: one line, exit 2; no Redis there: exit 3', async () => {
    expect(await cli(...bugArgs, '--redis', 'localhost:6379')).toMatchObject({ code: 2 });
    expect(await cli('worker')).toMatchObject({ code: 2, stderr: 'hypsim worker: --redis URL is required\n' });
    expect((await cli('worker', '--redis', 'redis://127.0.0.1:1', '--threads', '0')).code).toBe(2);
    const nobody = await cli(...bugArgs, '--redis', 'redis://127.0.0.1:1');
    expect(nobody.code).toBe(3);
    expect(JSON.parse(nobody.stdout).swarm.reason).toMatch(/^Redis not reachable \(.*ECONNREFUSED/);
    const r = spawnSync(process.execPath, [bin, 'worker', '--redis', 'redis://127.0.0.1:1'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(3);
    expect(r.stderr.trim().split('\n').pop()).toMatch(/^hypsim worker: Redis lost/);
  });
});
