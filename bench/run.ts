/**
 * `npm run bench`: the explorer against the reference figures of the explorer issue (SPIN 6.5.2 on an
 * equivalent model, no symmetry reduction). Prints states, transitions, states/s, seconds and peak
 * memory per row; each row runs in its own process so peak memory is per row. Targets, never asserted
 * in tests: N=6 K=2 exhaustive < 5 s and < 1 GB; N=8 K=2 < 60 s.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

interface Row {
  name: string;
  args: string[];
  reference?: string;
}

const t = (n: number, k: number, extra: string[] = []): string[] => ['--design', 'trampoline', '--layout', 'collide', '--cpus', String(n), '--hotplug', String(k), '--vms', '1', ...extra];
const rows: Row[] = [
  { name: 'N=4 K=1', args: t(4, 1), reference: 'SPIN 34 k states, 0.5 s' },
  { name: 'N=5 K=3', args: t(5, 3), reference: 'SPIN 1.79 M states, 4.6 s' },
  { name: 'N=6 K=2', args: t(6, 2), reference: 'SPIN 6.24 M states, 20 s, 1.2 GB; target < 5 s, < 1 GB' },
  { name: 'N=8 K=2', args: t(8, 2), reference: 'target < 60 s' },
  { name: 'N=6 K=2 no POR', args: t(6, 2, ['--no-por']) },
  { name: 'N=4 K=1 no symmetry, no POR', args: t(4, 1, ['--no-symmetry', '--no-por']), reference: 'same granularity question: see README' },
  { name: 'N=5 K=3 no symmetry, no POR', args: t(5, 3, ['--no-symmetry', '--no-por']), reference: 'SPIN 1.79 M states' },
  { name: 'N=4 K=2 dfs', args: t(4, 2, ['--strategy', 'dfs']) },
  { name: 'legacy collide N=6 K=0 (no symmetry: id order)', args: ['--design', 'legacy', '--layout', 'collide', '--cpus', '6', '--hotplug', '0'] },
  { name: 'trampoline-v3.15 N=6 K=2 from boot, CPU PM 2', args: ['--design', 'trampoline-v3.15', '--cpus', '6', '--hotplug', '2', '--vms', '1', '--cpu-pm', '2', '--hotplug-from-boot'] },
  // v4.7 in the kernel's order (VMs bring HYP up after boot, while hotplug and CPU PM run): a far larger space than before issue 13.
  { name: 'hyp-reset N=3 K=2 CPU PM 1', args: ['--design', 'hyp-reset', '--cpus', '3', '--hotplug', '2', '--vms', '1', '--cpu-pm', '1'] },
  { name: 'hyp-reset arm64-highmem N=4 K=2 CPU PM 1', args: ['--design', 'hyp-reset', '--layout', 'arm64-highmem', '--cpus', '4', '--hotplug', '2', '--vms', '1', '--cpu-pm', '1'] },
  { name: 'merged-idmap arm64-highmem N=8 K=2 CPU PM 2', args: ['--design', 'merged-idmap', '--cpus', '8', '--hotplug', '2', '--vms', '1', '--cpu-pm', '2'] },
  { name: 'extended-idmap arm64 b.eq merged (v4.1) N=8 K=2 CPU PM 2', args: ['--design', 'extended-idmap', '--cpus', '8', '--hotplug', '2', '--vms', '1', '--cpu-pm', '2'] },
  { name: 'trampoline arm64 list (v3.11) N=8 K=2', args: ['--design', 'trampoline', '--layout', 'arm64', '--cpus', '8', '--hotplug', '2', '--vms', '1'] },
  { name: 'pkvm arm64 N=8 K=2 CPU PM 2', args: ['--design', 'pkvm', '--cpus', '8', '--hotplug', '2', '--vms', '1', '--cpu-pm', '2'] },
  { name: 'legacy-hotplug disjoint N=6 K=1 (to the fault)', args: ['--design', 'legacy-hotplug', '--layout', 'disjoint', '--cpus', '6', '--hotplug', '1'] },
];

const only = process.argv[2];
const cli = join(__dirname, '..', 'cli', 'main.js');
console.log(`${'row'.padEnd(46)} ${'result'.padEnd(10)} ${'states'.padStart(10)} ${'transitions'.padStart(12)} ${'states/s'.padStart(10)} ${'seconds'.padStart(8)} ${'peak MB'.padStart(8)}  reference`);
for (const r of rows) {
  if (only && !r.name.includes(only)) continue;
  const p = spawnSync(process.execPath, [cli, 'explore', ...r.args, '--json', '--quiet'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  let o: { result: string; stats: { states: number; transitions: number; seconds: number; peakMemoryMB: number } };
  try {
    o = JSON.parse(p.stdout);
  } catch {
    console.log(`${r.name.padEnd(46)} failed: ${p.stderr.trim().split('\n')[0]}`);
    continue;
  }
  const s = o.stats;
  console.log(`${r.name.padEnd(46)} ${o.result.padEnd(10)} ${String(s.states).padStart(10)} ${String(s.transitions).padStart(12)} ${String(Math.round(s.states / Math.max(s.seconds, 1e-3))).padStart(10)} ${s.seconds.toFixed(2).padStart(8)} ${String(s.peakMemoryMB).padStart(8)}  ${r.reference ?? ''}`);
}
