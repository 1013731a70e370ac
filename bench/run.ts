/**
 * `npm run bench`: the explorer against the reference figures of the explorer issue (SPIN 6.5.2 on an
 * equivalent model, no symmetry reduction). Prints states, transitions, states/s, seconds and peak
 * memory per row; each row runs in its own process so peak memory is per row. Targets, never asserted
 * in tests: N=6 K=2 exhaustive < 5 s and < 1 GB; N=8 K=2 < 60 s.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { redisWithWorkers } from './redis-swarm';

interface Row {
  name: string;
  args: string[];
  reference?: string;
  /** Only when the row filter names it (too long for every bench run). */
  optIn?: boolean;
  /** Run against a fresh local redis-server with this many `hypsim worker` processes. */
  redisWorkers?: number;
  /** Print this row's speedup over the named row (its seconds over this row's). */
  speedupOver?: string;
}

const t = (n: number, k: number, extra: string[] = []): string[] => [
  '--design',
  'trampoline',
  '--layout',
  'collide',
  '--cpus',
  String(n),
  '--hotplug',
  String(k),
  '--vms',
  '1',
  ...extra,
];
const swarmOf = (walks: number, seeds: number): string[] => ['--walks', String(walks), '--seeds', String(seeds)];
const past24 = ['--no-symmetry', '--no-por', '--max-states', '20000000'];
const rows: Row[] = [
  { name: 'N=4 K=1', args: t(4, 1), reference: 'SPIN 34 k states, 0.5 s' },
  { name: 'N=5 K=3', args: t(5, 3), reference: 'SPIN 1.79 M states, 4.6 s' },
  { name: 'N=6 K=2', args: t(6, 2), reference: 'SPIN 6.24 M states, 20 s, 1.2 GB; target < 5 s, < 1 GB' },
  { name: 'N=8 K=2', args: t(8, 2), reference: 'target < 60 s' },
  // Real CPU counts (issue 16 item 1; docs/performance.md): with the IPI and DONE proposals states grow about N^1.5 (N=64: 141 k states, 14-20 s).
  { name: 'N=16 K=2', args: t(16, 2) },
  { name: 'N=32 K=2', args: t(32, 2), reference: 'before the IPI/DONE proposals: 5.98 M states, 404-518 s' },
  { name: 'N=64 K=2', args: t(64, 2), reference: 'issue goal: < 60 s, < 2 GB' },
  { name: 'N=6 K=2 no POR', args: t(6, 2, ['--no-por']) },
  { name: 'N=4 K=1 no symmetry, no POR', args: t(4, 1, ['--no-symmetry', '--no-por']), reference: 'same granularity question: see README' },
  { name: 'N=5 K=3 no symmetry, no POR', args: t(5, 3, ['--no-symmetry', '--no-por']), reference: 'SPIN 1.79 M states' },
  { name: 'N=4 K=2 dfs', args: t(4, 2, ['--strategy', 'dfs']) },
  { name: 'legacy collide N=6 K=0 (no symmetry: id order)', args: ['--design', 'legacy', '--layout', 'collide', '--cpus', '6', '--hotplug', '0'] },
  {
    name: 'trampoline-v3.15 N=6 K=2 from boot, CPU PM 2',
    args: ['--design', 'trampoline-v3.15', '--cpus', '6', '--hotplug', '2', '--vms', '1', '--cpu-pm', '2', '--hotplug-from-boot'],
  },
  // v4.7 in the kernel's order (VMs bring HYP up after boot, while hotplug and CPU PM run): a far larger space than before issue 13.
  { name: 'hyp-reset N=3 K=2 CPU PM 1', args: ['--design', 'hyp-reset', '--cpus', '3', '--hotplug', '2', '--vms', '1', '--cpu-pm', '1'] },
  {
    name: 'hyp-reset arm64-highmem N=4 K=2 CPU PM 1',
    args: ['--design', 'hyp-reset', '--layout', 'arm64-highmem', '--cpus', '4', '--hotplug', '2', '--vms', '1', '--cpu-pm', '1'],
  },
  { name: 'merged-idmap arm64-highmem N=8 K=2 CPU PM 2', args: ['--design', 'merged-idmap', '--cpus', '8', '--hotplug', '2', '--vms', '1', '--cpu-pm', '2'] },
  {
    name: 'extended-idmap arm64 b.eq merged (v4.1) N=8 K=2 CPU PM 2',
    args: ['--design', 'extended-idmap', '--cpus', '8', '--hotplug', '2', '--vms', '1', '--cpu-pm', '2'],
  },
  { name: 'trampoline arm64 list (v3.11) N=8 K=2', args: ['--design', 'trampoline', '--layout', 'arm64', '--cpus', '8', '--hotplug', '2', '--vms', '1'] },
  { name: 'pkvm arm64 N=8 K=2 CPU PM 2', args: ['--design', 'pkvm', '--cpus', '8', '--hotplug', '2', '--vms', '1', '--cpu-pm', '2'] },
  { name: 'legacy-hotplug disjoint N=6 K=1 (to the fault)', args: ['--design', 'legacy-hotplug', '--layout', 'disjoint', '--cpus', '6', '--hotplug', '1'] },
  // Scale (docs/scale.md): an unreduced search past 2^24 states (a Map-based visited set died there).
  // Stopped at 2.0e7 states (exit 3, 'incomplete'): the whole unreduced space is far larger.
  { name: 'past 2^24: N=8 K=2 no symmetry, no POR', args: t(8, 2, [...past24]), reference: 'Map: RangeError at 2^24, ~290 s' },
  { name: 'past 2^24, exact keys', args: t(8, 2, [...past24, '--exact']), reference: 'full keys in 64 sharded Maps' },
  // About 25 minutes: only when named (npm run bench "10^8").
  { name: 'to 10^8: N=8 K=2 no symmetry, no POR', args: t(8, 2, ['--no-symmetry', '--no-por', '--max-states', '100000000']), optIn: true },
  // 1 vs 2 workers (docs/scale.md "Workers on one machine"): one thread, then --workers 2, on a search of over 10 s with
  // wide levels (trampoline N=6 K=1 without POR: 2.97 M states, 103 levels; ~34 s on one thread), three pairs and their
  // median (the host's speed drifts by up to a quarter within minutes); then a narrow one (N=64: 928 levels of ~150 states).
  ...[1, 2, 3].flatMap((i): Row[] => [
    { name: `1 vs 2 workers N=6 K=1 no POR, one thread (${i})`, args: t(6, 1, ['--no-por']) },
    {
      name: `1 vs 2 workers N=6 K=1 no POR, --workers 2 (${i})`,
      args: t(6, 1, ['--no-por', '--workers', '2']),
      speedupOver: `1 vs 2 workers N=6 K=1 no POR, one thread (${i})`,
    },
  ]),
  { name: '1 vs 2 workers N=64 K=2, one thread', args: t(64, 2) },
  { name: '1 vs 2 workers N=64 K=2, --workers 2', args: t(64, 2, ['--workers', '2']), speedupOver: '1 vs 2 workers N=64 K=2, one thread' },
  // Swarm: 16 seeds of 200 random walks on a system with no bug (so every seed runs), 1 then 2 worker threads.
  { name: 'swarm N=6 K=2 16 seeds x 200 walks, 1 thread', args: t(6, 2, ['--strategy', 'random', ...swarmOf(200, 16), '--workers', '1']) },
  { name: 'swarm N=6 K=2 16 seeds x 200 walks, 2 threads', args: t(6, 2, ['--strategy', 'random', ...swarmOf(200, 16), '--workers', '2']) },
  { name: 'swarm N=6 K=2 16x200, Redis, 2 worker procs', args: t(6, 2, ['--strategy', 'random', ...swarmOf(200, 16)]), redisWorkers: 2 },
  // Exhaustive bfs over Redis (docs/scale.md, "Across machines"): the same search in one process, then by 3 worker processes.
  { name: 'bfs N=4 K=2 no POR, 1 process', args: t(4, 2, ['--no-por']) },
  { name: 'bfs N=4 K=2 no POR, Redis, 3 worker procs', args: t(4, 2, ['--no-por']), redisWorkers: 3 },
];

const only = process.argv[2];
const seconds = new Map<string, number>();
/** Speedups of the pairs of one group (row names without their "(i)"), for the median. */
const speedups = new Map<string, number[]>();
/** The 1-minute load average when each row started (a shared machine: other work slows threads down). */
const loadAtStart = new Map<string, number>();
const cli = join(__dirname, '..', 'cli', 'main.js');
console.log(
  `${'row'.padEnd(46)} ${'result'.padEnd(10)} ${'states'.padStart(10)} ${'transitions'.padStart(12)} ${'states/s'.padStart(10)} ` +
    `${'seconds'.padStart(8)} ${'peak MB'.padStart(8)}  reference`,
);
for (const r of rows) {
  if ((only && !r.name.includes(only)) || (r.optIn && !only)) continue;
  const redis = r.redisWorkers ? redisWithWorkers(cli, r.redisWorkers) : null;
  if (typeof redis === 'string') {
    console.log(`${r.name.padEnd(46)} skipped: ${redis}`);
    continue;
  }
  const args = redis ? [...r.args, '--redis', redis.url] : r.args;
  loadAtStart.set(r.name, loadavg()[0]);
  const p = spawnSync(process.execPath, [cli, 'explore', ...args, '--json', '--quiet'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  redis?.stop();
  let o: {
    result: string;
    stats: { states: number; transitions: number; seconds: number; peakMemoryMB: number };
    visited?: { mode: string; bytesPerState: number | null; collisionProbability: number; spilledFrontierStates: number };
  };
  try {
    o = JSON.parse(p.stdout);
  } catch {
    console.log(`${r.name.padEnd(46)} failed: ${p.stderr.trim().split('\n')[0]}`);
    continue;
  }
  const s = o.stats;
  const v = o.visited;
  const rss = Math.round((s.peakMemoryMB * 1048576) / Math.max(1, s.states));
  const spilled = v?.spilledFrontierStates ? `, ${v.spilledFrontierStates} spilled` : '';
  const bound = v?.collisionProbability.toExponential(1);
  const table = v?.mode === 'fingerprint' ? `${v.bytesPerState} B/state in the visited set, P(collision) ≤ ${bound}` : 'exact keys';
  const stored = v ? ` [${table}, ${rss} B/state peak RSS${spilled}]` : '';
  const perSecond = String(Math.round(s.states / Math.max(s.seconds, 1e-3)));
  const figures = `${String(s.states).padStart(10)} ${String(s.transitions).padStart(12)} ${perSecond.padStart(10)} ${s.seconds.toFixed(2).padStart(8)}`;
  console.log(`${r.name.padEnd(46)} ${o.result.padEnd(10)} ${figures} ${String(s.peakMemoryMB).padStart(8)}  ${r.reference ?? ''}${stored}`);
  seconds.set(r.name, s.seconds);
  const base = r.speedupOver === undefined ? undefined : seconds.get(r.speedupOver);
  if (base !== undefined) {
    const speedup = base / Math.max(s.seconds, 1e-3);
    console.log(
      `${''.padEnd(46)} speedup ${speedup.toFixed(2)}x over "${r.speedupOver}" ` +
        `(load average ${loadAtStart.get(r.speedupOver ?? '')?.toFixed(1)} before the pair, ${loadavg()[0].toFixed(1)} after it)`,
    );
    const group = r.name.replace(/ \(\d+\)$/, '');
    speedups.set(group, [...(speedups.get(group) ?? []), speedup]);
  }
}
for (const [group, xs] of speedups) {
  if (xs.length < 2) continue;
  const sorted = [...xs].sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  console.log(`${group}: median speedup ${median.toFixed(2)}x of ${xs.length} pairs (${xs.map((x) => x.toFixed(2)).join(', ')})`);
}
