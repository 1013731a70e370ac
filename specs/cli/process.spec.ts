/**
 * The real executable at the edges a user hits: a closed pipe, a full disk, a FIFO, Ctrl-C and SIGTERM
 * during a search, no arguments. Spawned sparingly: the in-process suites cover the rest.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simulate } from '../../actors/live';
import { explore } from '../../api/explore';
import { system } from '../../api/system';
import { traceFileFor, writeTraceFile } from '../../report/trace-file';
import { bin, hypsim, tmp } from './helpers';

const dir = tmp();
const okFile = join(dir, 'ok.json');
const badFile = join(dir, 'legacy.json');
beforeAll(async () => {
  const sys = system({ design: 'trampoline', cpus: 3, hotplug: 1 });
  const live = await simulate(sys, { seed: 1 });
  expect(live.violation).toBeNull();
  writeTraceFile(okFile, traceFileFor(sys, null, live.trace));
  const legacy = system({ design: 'legacy', layout: 'collide', cpus: 2 });
  const r = explore(legacy);
  writeTraceFile(badFile, traceFileFor(legacy, { invariant: r.violation!.invariant, message: r.violation!.message }, r.violation!.trace));
});

const oneLine = (stderr: string) => {
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at |Error:/);
};

test('no arguments: the usage on stderr, nothing on stdout, exit 2', () => {
  const r = hypsim();
  expect([r.code, r.stdout]).toEqual([2, '']);
  expect(r.stderr).toMatch(/^hypsim — simulator/);
});

test('a reader that goes away (EPIPE) ends quietly with the verdict’s exit code', () => {
  // The last one writes from the search's worker thread.
  const search = 'explore --design legacy --layout collide --cpus 2 --hotplug 0 --quiet';
  for (const [args, code] of [
    [`replay "${okFile}"`, 0],
    [`replay "${badFile}"`, 1],
    [search, 1],
  ] as const) {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${bin}" ${args} | true; exit \${PIPESTATUS[0]}`], { encoding: 'utf8' });
    expect([args, r.status, r.stderr]).toEqual([args, code, '']);
  }
});

test('stdout on a full disk: one line and exit 2, never a verdict', () => {
  const full = openSync('/dev/full', 'w');
  const r = spawnSync(process.execPath, [bin, 'explore', '--design', 'trampoline', '--cpus', '2', '--hotplug', '0', '--json', '--quiet'], {
    stdio: ['ignore', full, 'pipe'],
    encoding: 'utf8',
  });
  closeSync(full);
  expect(r.status).toBe(2);
  oneLine(r.stderr);
  expect(r.stderr).toMatch(/cannot write standard output \(ENOSPC\)/);
});

test('a FIFO as a design file is refused at once, no hang; bad flags and deep files are one line', () => {
  const fifo = join(dir, 'fifo');
  spawnSync('mkfifo', [fifo]);
  const deep = join(dir, 'deep.json');
  writeFileSync(deep, '['.repeat(100_000) + ']'.repeat(100_000));
  for (const args of [
    ['explore', '--design', fifo, '--cpus', '2', '--hotplug', '0'],
    ['explore', '--design', 'legacy', '--cpus', '0x2', '--hotplug', '0'],
    ['list', '--bogus'],
    ['replay', deep],
  ]) {
    const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 30_000 });
    expect([args[0], r.status]).toEqual([args[0], 2]);
    oneLine(r.stderr);
  }
});

/** Start a search too big to finish, wait for its first progress line, send `signal`. */
function interrupted(signal: NodeJS.Signals, extra: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [
    bin,
    'explore',
    '--design',
    'trampoline',
    '--cpus',
    '6',
    '--hotplug',
    '3',
    '--vms',
    '1',
    '--no-symmetry',
    '--no-por',
    ...extra,
  ]);
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => {
    stderr += d;
    if (!sent && /states\/s/.test(stderr)) {
      sent = true;
      child.kill(signal);
    }
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

test('Ctrl-C during a search: partial stats, incomplete, exit 3', async () => {
  const r = await interrupted('SIGINT', []);
  expect(r.code).toBe(3);
  expect(r.stdout).toMatch(/incomplete — stopped by interrupted, no violation found so far\n\s+\d+ states, \d+ transitions/);
  expect(r.stderr).toMatch(/SIGINT: stopping the search, partial results follow/);
});

test('SIGTERM during a --json search: the partial result as JSON, exit 3', async () => {
  const r = await interrupted('SIGTERM', ['--json']);
  expect(r.code).toBe(3);
  const o = JSON.parse(r.stdout);
  expect(o).toMatchObject({ result: 'incomplete', stoppedBy: 'interrupted', violation: null });
  expect(o.stats.states).toBeGreaterThan(0);
});

test('Ctrl-C while export explores for a counterexample: nothing written, one line, exit 3 (not a live run in its place)', async () => {
  const child = spawn(process.execPath, [
    bin,
    'export',
    '--format',
    'mermaid',
    '--what',
    'trace',
    '--design',
    'trampoline',
    '--cpus',
    '64',
    '--hotplug',
    '2',
    '--vms',
    '1',
  ]);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  // The search takes far longer than this (about 15 s alone); the signal lands mid-search.
  setTimeout(() => child.kill('SIGINT'), 1500);
  const code = await new Promise((resolve) => child.on('close', resolve));
  expect(code).toBe(3);
  expect(stdout).toBe('');
  expect(stderr).toMatch(/SIGINT: stopping the search \(SIGINT again/);
  expect(stderr).toMatch(/hypsim export: interrupted while exploring; nothing exported\n$/);
});
