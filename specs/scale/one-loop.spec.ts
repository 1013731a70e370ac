/**
 * The port onto the one search loop: fingerprints, exact keys and a spilling frontier keep what main's
 * exhaustive search guarantees (least-depth bfs violations, the shortest re-search under POR, the exact
 * state limit), and the numbered store of the graph passes sees the same states as the keyed store.
 */
import { system } from '../../api/system';
import type { Checkable, World } from '../../explore/checkable';
import { exhaustive } from '../../explore/exhaustive';
import { MemorySpillStore } from '../../explore/spill';
import { everything } from '../core/graph';
import { cli } from './run-cli';

const engine = (design: string, cpus: number, hotplug: number): Checkable<World> => system({ design, cpus, hotplug }).engine({ symmetry: true });
const spill = () => ({ store: new MemorySpillStore(), keepInMemory: 8 });

describe('one search loop, any store', () => {
  test('the numbered store (graph passes) and the keyed stores (exhaustive) visit the same states', () => {
    const sys = engine('trampoline', 2, 1);
    const graph = everything(sys, true);
    for (const extra of [{}, { exact: true }, { spill: spill() }]) {
      const r = exhaustive(sys, { strategy: 'dfs', seed: 1, por: true, ...extra });
      expect(r.result).toBe('verified');
      expect(r.stats.states).toBe(graph.states);
    }
  });

  test('bfs under POR with fingerprints and a spilling frontier: the shortest trace of the unreduced exact search', () => {
    const sys = engine('legacy', 3, 1);
    const full = exhaustive(sys, { strategy: 'bfs', seed: 1, por: false, exact: true });
    const reduced = exhaustive(sys, { strategy: 'bfs', seed: 1, por: true, spill: spill() });
    if (full.result !== 'violation' || reduced.result !== 'violation') throw new Error('legacy N=3 K=1 must violate');
    expect(reduced.violation.shortest).toBe(true);
    expect(reduced.violation.trace.length).toBe(full.violation.trace.length);
    expect(reduced.visited?.mode).toBe('fingerprint');
  });

  test('--max-states is exact whatever the store', () => {
    const sys = engine('trampoline', 3, 2);
    for (const extra of [{}, { exact: true }, { spill: spill() }]) {
      const r = exhaustive(sys, { strategy: 'bfs', seed: 1, por: true, maxStates: 77, ...extra });
      expect(r).toMatchObject({ result: 'incomplete', stoppedBy: 'max-states', stats: { states: 77 } });
    }
  });

  test('swarm flags: refused with bfs/dfs and with --max-memory, one line and exit 2', async () => {
    const base = ['explore', '--design', 'trampoline', '--cpus', '2', '--hotplug', '1', '--quiet'];
    expect(await cli(...base, '--seeds', '2')).toEqual({ code: 2, stdout: '', stderr: 'hypsim explore: --seeds applies to random and pct only\n' });
    // bfs takes --workers (specs/scale/workers.spec.ts); dfs does not.
    expect(await cli(...base, '--strategy', 'dfs', '--workers', '2')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'hypsim explore: --workers runs bfs, random or pct, not dfs (a parallel dfs is not the same search)\n',
    });
    expect(await cli(...base, '--strategy', 'dfs', '--redis', 'redis://127.0.0.1:1')).toMatchObject({ code: 2, stdout: '' });
    const mem = await cli(...base, '--strategy', 'random', '--seeds', '2', '--max-memory', '100');
    expect(mem).toMatchObject({ code: 2, stdout: '', stderr: 'hypsim explore: --max-memory does not apply to a swarm (drop --workers/--seeds/--redis)\n' });
    expect((await cli(...base, '--strategy', 'random', '--workers', 'two')).stderr.split('\n')).toHaveLength(2);
  });
});
