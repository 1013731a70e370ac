/**
 * One budget for the whole run (explore/budget.ts): --max-states stops exactly, --max-memory stops
 * cleanly, an interrupt stops the search at the next expansion, and shrinking spends from the same budget.
 */
import { simulate } from '../../actors/live';
import { explore } from '../../api/explore';
import { system } from '../../api/system';
import type { Checkable } from '../../explore/checkable';
import { Budget, defaultMaxMemoryMB } from '../../explore/budget';
import { nodeMeter } from '../../api/node-meter';
import { primaryEntries } from '../../explore/match';
import { shrink } from '../../explore/shrink';

const big = () => system({ design: 'trampoline', cpus: 4, hotplug: 2 });

describe('the run budget', () => {
  test.each(['bfs', 'dfs'] as const)('%s: --max-states X stores exactly X states, and a graph of exactly X states is verified', (strategy) => {
    for (const x of [1, 7, 1000, 4321]) {
      const r = explore(big(), { strategy, por: false, maxStates: x });
      expect([x, r.result, r.stoppedBy, r.stats.states]).toEqual([x, 'incomplete', 'max-states', x]);
    }
    const small = system({ design: 'trampoline', cpus: 2, hotplug: 1 });
    const all = explore(small, { strategy }).stats.states;
    expect(explore(small, { strategy, maxStates: all }).result).toBe('verified');
    expect(explore(small, { strategy, maxStates: all - 1 })).toMatchObject({ result: 'incomplete', stoppedBy: 'max-states', stats: { states: all - 1 } });
  });
  test('random: never more states than the limit', () => {
    const r = explore(big(), { strategy: 'random', seed: 4, maxStates: 500 });
    expect(r).toMatchObject({ result: 'incomplete', stoppedBy: 'max-states', stats: { states: 500 } });
  });
  test('--max-memory: a heap budget stops the search cleanly; the default sits below the heap limit', () => {
    const r = explore(big(), { por: false, maxMemoryMB: 1 });
    expect(r).toMatchObject({ result: 'incomplete', stoppedBy: 'max-memory' });
    expect(defaultMaxMemoryMB(nodeMeter)).toBeGreaterThan(100);
    expect(new Budget({ meter: nodeMeter }).maxMemoryMB).toBe(defaultMaxMemoryMB(nodeMeter));
  });
  test('an interrupt stops every strategy at the next expansion, with partial stats', () => {
    let reads = 0;
    const later = {
      get aborted() {
        return ++reads > 200;
      },
    };
    const r = explore(big(), { por: false, interrupt: later });
    expect(r).toMatchObject({ result: 'incomplete', stoppedBy: 'interrupted' });
    expect(r.stats.states).toBeGreaterThan(200);
    for (const strategy of ['dfs', 'random', 'pct'] as const) expect(explore(big(), { strategy, interrupt: { aborted: true } }).stoppedBy).toBe('interrupted');
  });
  test('shrinking spends from the run budget: out of budget, the counterexample so far is returned', async () => {
    const sys = system({ design: 'no-tlbi', cpus: 3, hotplug: 1 });
    const engine: Checkable = sys.engine({ symmetry: false });
    let live = await simulate(sys, { seed: 1 });
    for (let seed = 2; !live.violation; seed++) live = await simulate(sys, { seed });
    const raw = primaryEntries(live.trace).length;
    const free = shrink(engine, live.trace, live.violation.invariant);
    expect(primaryEntries(free.trace).length).toBeLessThan(raw);
    const spent = shrink(engine, live.trace, live.violation.invariant, new Budget({ interrupt: { aborted: true } }));
    expect(primaryEntries(spent.trace)).toHaveLength(raw);
    expect(spent.message).toBe(live.violation.message);
  });
});
