/** The exhaustive search gives the same verdicts, counts and counterexamples whatever stores its states. */
import { existsSync, readdirSync } from 'node:fs';
import { explore } from '../../api/explore';
import { system } from '../../api/system';
import type { Checkable } from '../../explore/checkable';
import { exhaustive } from '../../explore/exhaustive';
import { MemorySpillStore } from '../../explore/spill';
import { hypsim, tmp } from '../cli/helpers';
import { cli } from './run-cli';

const cases = [
  ['legacy', 3, 1, 0],
  ['trampoline', 3, 2, 1],
  ['hyp-reset-no-tlbi', 2, 1, 1],
] as const;

describe('visited set and frontier choices change nothing but memory', () => {
  test.each(cases)('%s N=%i K=%i M=%i: fingerprints, exact keys and a spilling frontier agree under bfs and dfs', (design, cpus, hotplug, vms) => {
    const sys = system({ design, cpus, hotplug, vms });
    for (const strategy of ['bfs', 'dfs'] as const) {
      const run = (extra: object) => exhaustive(sys.engine({ symmetry: true }) as unknown as Checkable, { strategy, seed: 1, por: true, ...extra });
      const fpr = run({});
      const exact = run({ exact: true });
      const store = new MemorySpillStore();
      const spilled = run({ spill: { store, keepInMemory: 8 } });
      expect(fpr.visited?.mode).toBe('fingerprint');
      expect(exact.visited?.mode).toBe('exact');
      for (const r of [exact, spilled]) {
        expect(r.result).toBe(fpr.result);
        expect(r.stats.states).toBe(fpr.stats.states);
        expect(r.stats.transitions).toBe(fpr.stats.transitions);
        expect(r.violation).toEqual(fpr.violation);
      }
      if (fpr.stats.states > 200) expect(spilled.visited!.spilledFrontierStates).toBeGreaterThan(0);
    }
  });

  test('a counterexample is rebuilt from fingerprints alone (no key kept but the initial one)', () => {
    const r = explore(system({ design: 'legacy', cpus: 3, hotplug: 1 }), { strategy: 'bfs' });
    expect(r.result).toBe('violation');
    expect(r.visited).toMatchObject({ mode: 'fingerprint', fingerprintBits: 64 });
    expect(r.violation!.trace.length).toBeGreaterThan(10);
  });

  test('CLI: the result names the visited set; --spill-dir spills through files and cleans up', async () => {
    const base = ['explore', '--design', 'trampoline', '--cpus', '3', '--hotplug', '2', '--vms', '1', '--quiet'];
    const text = hypsim(...base);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/visited set: 64-bit fingerprints, [\d.]+ bytes\/state, P\(a collision hid a state\) ≤ \d\.\de-\d+ \(--exact for none\)/);
    const exact = JSON.parse((await cli(...base, '--exact', '--json')).stdout);
    expect(exact.visited).toEqual({ mode: 'exact', fingerprintBits: null, bytesPerState: null, collisionProbability: 0, spilledFrontierStates: 0 });
    const dir = tmp();
    const spilled = JSON.parse(hypsim(...base, '--json', '--spill-dir', dir, '--frontier-in-memory', '8').stdout);
    const plain = JSON.parse((await cli(...base, '--json')).stdout);
    expect(spilled.visited.spilledFrontierStates).toBeGreaterThan(0);
    expect(spilled.stats.states).toBe(plain.stats.states);
    expect(existsSync(dir) && readdirSync(dir)).toEqual([]);
    expect(await cli(...base, '--strategy', 'random', '--exact')).toMatchObject({ code: 2, stderr: 'hypsim explore: --exact applies to bfs and dfs only\n' });
    expect((await cli(...base, '--no-spill', '--spill-dir', dir)).code).toBe(2);
    expect(await cli(...base, '--spill-dir', '/nonexistent/x', '--frontier-in-memory', '16')).toMatchObject({ code: 2 });
  });
});
