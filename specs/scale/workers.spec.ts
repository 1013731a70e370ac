/**
 * bfs on worker threads (`--workers N`): verdicts, state and transition counts, depths and counterexample lengths
 * equal between 1, 2 and 3 workers and, for verified runs, equal to the one-thread search; counterexamples replay;
 * budgets, interrupts and a crashed worker end the run (never a hang); what cannot run on workers is refused.
 */
import { explore, exploreWorkers, system, verifyTrace, type ExploreResult, type HypSystemOptions } from 'hypsim';
import { PortableDecoder, portablePieces } from '../../api/portable-decode';
import { cli } from './run-cli';

type Case = { name: string; config: HypSystemOptions; symmetry?: boolean; por?: boolean; verdict: ExploreResult['result'] };

const hyp = (design: string, cpus: number, more: Partial<HypSystemOptions> = {}): HypSystemOptions => ({ design, layout: 'collide', cpus, ...more });

const cases: Case[] = [
  { name: 'trampoline N=3 K=1 (symmetry + POR)', config: hyp('trampoline', 3, { hotplug: 1 }), verdict: 'verified' },
  { name: 'trampoline N=3 K=1 (no reduction)', config: hyp('trampoline', 3, { hotplug: 1 }), symmetry: false, por: false, verdict: 'verified' },
  { name: 'hyp-reset N=2 K=1, CPU PM 1', config: hyp('hyp-reset', 2, { hotplug: 1, cpuPm: 1 }), verdict: 'verified' },
  { name: 'no-tlbi N=3 K=1 (safety)', config: hyp('no-tlbi', 3, { hotplug: 1 }), verdict: 'violation' },
  { name: 'no-tlbi N=2 K=1 (no POR)', config: hyp('no-tlbi', 2, { hotplug: 1 }), por: false, verdict: 'violation' },
  { name: 'no-cpu-pm-notifier N=2 K=1, CPU PM 1', config: hyp('no-cpu-pm-notifier', 2, { hotplug: 1, cpuPm: 1 }), verdict: 'violation' },
  { name: 'legacy N=2', config: hyp('legacy', 2), verdict: 'violation' },
];

const figures = (r: ExploreResult) => ({
  result: r.result,
  states: r.stats.states,
  transitions: r.stats.transitions,
  depth: r.stats.depth,
  invariant: r.violation?.invariant,
  steps: r.violation ? r.violation.trace[r.violation.trace.length - 1].step : undefined,
});

describe('bfs on worker threads: the same search whatever the number of workers', () => {
  test.each(cases)('$name', async ({ config, symmetry, por, verdict }) => {
    const sys = system(config);
    const one = explore(sys, { symmetry, por });
    expect(one.result).toBe(verdict);
    const runs = [];
    for (const workers of [1, 2, 3]) runs.push(await exploreWorkers(sys, { workers, symmetry, por }));
    const f = runs.map(figures);
    expect(f[1]).toEqual(f[0]);
    expect(f[2]).toEqual(f[0]);
    expect(f[0].result).toBe(verdict);
    if (verdict === 'verified') {
      // A verified run stores every state: exactly the states and transitions of the one-thread search.
      expect(f[0]).toEqual(figures(one));
      return;
    }
    // A violation stops at the end of its level (not mid-level): counts may exceed the one-thread run's, the trace length may not differ.
    expect(f[0].steps).toBe(figures(one).steps);
    expect(f[0].invariant).toBe(one.violation!.invariant);
    for (const r of runs) {
      const v = r.violation!;
      expect(v.shortest).toBe(true);
      expect(() => verifyTrace(sys, v.trace, { violation: { invariant: v.invariant, message: v.message } })).not.toThrow();
    }
    // The same trace every time: the reported violation and the recorded parents do not depend on timing.
    expect(runs[1].violation!.trace).toEqual(runs[0].violation!.trace);
    expect(runs[2].violation!.trace).toEqual(runs[0].violation!.trace);
  });
});

describe('bfs on worker threads: the trace does not depend on the order the workers insert in', () => {
  // Staggered levels run one worker at a time, so one worker's successors all reach the shared table before
  // another's (an order a loaded machine may give): the table still keeps the least parent. Growing late starts
  // from a 16-slot table never grown ahead: workers find it full mid-level and insert the rest at the barrier.
  test.each(cases.filter((c) => c.verdict === 'violation' && c.config.cpus === 2))(
    '$name, levels run one worker at a time, and the table grown late',
    async ({ config, symmetry, por }) => {
      const sys = system(config);
      const one = await exploreWorkers(sys, { workers: 1, symmetry, por });
      for (const [workers, hooks] of [
        [2, { staggered: true }],
        [3, { staggered: true }],
        [2, { growLate: true }],
        [3, { growLate: true, staggered: true }],
      ] as const) {
        const r = await exploreWorkers(sys, { workers, symmetry, por, ...hooks });
        expect(figures(r)).toEqual(figures(one));
        expect(r.violation!.trace).toEqual(one.violation!.trace);
      }
    },
  );

  test('a verified run with the table grown late stores every state of the one-thread search', async () => {
    const sys = system(hyp('trampoline', 3, { hotplug: 1 }));
    const r = await exploreWorkers(sys, { workers: 2, growLate: true, symmetry: false, por: false });
    expect(figures(r)).toEqual(figures(explore(sys, { symmetry: false, por: false })));
  });
});

describe('bfs on worker threads: budgets and failures end the run', () => {
  const sys = system(hyp('trampoline', 6, { hotplug: 2 }));

  test('--max-states stops with incomplete, having stored at least that many', async () => {
    const r = await exploreWorkers(sys, { workers: 2, maxStates: 500 });
    expect(r.result).toBe('incomplete');
    expect(r.stoppedBy).toBe('max-states');
    expect(r.stats.states).toBeGreaterThanOrEqual(500);
  });

  test('an interrupt stops the run', async () => {
    const r = await exploreWorkers(sys, { workers: 2, interrupt: { aborted: true } });
    expect(r.result).toBe('incomplete');
    expect(r.stoppedBy).toBe('interrupted');
  });

  test('--max-seconds stops the run', async () => {
    const r = await exploreWorkers(sys, { workers: 2, maxSeconds: 0.05 });
    expect(r.result).toBe('incomplete');
    expect(r.stoppedBy).toBe('max-seconds');
  });

  test('a worker that throws ends the run incomplete, naming the worker', async () => {
    const r = await exploreWorkers(sys, { workers: 3, crashAt: { worker: 1, depth: 5 } });
    expect(r.result).toBe('incomplete');
    expect(r.stoppedBy).toBe('worker-failed');
    expect(r.workers.reason).toMatch(/^worker 1: Error: worker 1 crashed at level 5/);
  });
});

describe('bfs on worker threads: the CLI', () => {
  test('--workers 2 prints the verdict, the figures of one thread and the workers line', async () => {
    const args = ['explore', '--design', 'trampoline', '--cpus', '3', '--hotplug', '1', '--quiet'];
    const one = await cli(...args);
    const two = await cli(...args, '--workers', '2');
    expect(two.code).toBe(0);
    expect(two.stdout).toMatch(/verified/);
    expect(two.stdout).toMatch(/workers: 2 threads, level-synchronous bfs/);
    const states = (s: string) => /(\d+) states, (\d+) transitions, depth (\d+)/.exec(s)?.slice(1);
    expect(states(two.stdout)).toEqual(states(one.stdout));
  });

  test('a violation exits 1; the JSON names the workers', async () => {
    const r = await cli('explore', '--design', 'legacy', '--cpus', '2', '--workers', '2', '--quiet', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).workers).toEqual({ workers: 2, expandedBy: [expect.any(Number), expect.any(Number)] });
  });

  test.each([
    [['--strategy', 'dfs', '--workers', '2'], /--workers runs bfs, random or pct, not dfs/],
    [['--exact', '--workers', '2'], /--exact is not supported with --workers/],
    [['--spill-dir', '/tmp', '--workers', '2'], /--spill-dir does not apply with --workers/],
    [['--workers', '0'], /--workers must be positive/],
  ])('refuses %j in one line, exit 2', async (extra, message) => {
    const r = await cli('explore', '--design', 'trampoline', '--cpus', '2', ...extra);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  test("a user's own system is refused: workers rebuild HYP systems only", async () => {
    const own = system({ spec: system(hyp('legacy', 2)).spec });
    await expect(exploreWorkers(own, { workers: 2 })).rejects.toThrow(/threads rebuild a HYP system/);
  });
});

describe('portable keys rebuilt by the Redis workers (api/portable-decode.ts)', () => {
  test('the piece cache gives the state the engine gives, for every state of a search; odd text goes to the engine', () => {
    const sys = system(hyp('trampoline', 3, { hotplug: 1, vms: 1 }));
    const maker = sys.engine({ symmetry: true });
    const keys: string[] = [];
    let level = [maker.initial()];
    const seen = new Set([maker.key(level[0])]);
    while (level.length) {
      const next = [];
      for (const w of level)
        for (const st of maker.enabled(w)) {
          const n = maker.apply(w, st);
          const k = maker.key(n);
          if (seen.has(k)) continue;
          seen.add(k);
          next.push(n);
          keys.push(maker.portableKey(n));
        }
      level = next;
    }
    expect(keys.length).toBeGreaterThan(500);
    const engine = sys.engine({ symmetry: true });
    let asked = 0;
    const counting = {
      fromPortableKey: (k: string) => {
        asked++;
        return engine.fromPortableKey(k);
      },
    };
    const decoder = new PortableDecoder(counting, engine.actorCount);
    for (const pass of [1, 2])
      for (const k of keys) {
        const w = decoder.decode(k);
        expect(engine.portableKey(w)).toBe(k);
        if (pass === 2) expect(engine.key(w)).toBe(engine.key(engine.fromPortableKey(k)));
      }
    // Every piece was learnt in the first pass: the second asked the engine nothing new (only the checks above did).
    expect(asked).toBeLessThan(keys.length);
    expect(portablePieces('{"l":[1],"a":[0],"g":{},"q":[]}x', 1)).toBeNull();
    expect(portablePieces('{"l":[1],"a":[3],"g":{},"q":[]}', 1)).toBeNull();
    expect(portablePieces('{"l":["a,]"],"a":[0,0],"g":{"x":"}"},"q":[[0,1,{"type":"E"}]]}', 2)).toEqual({
      locals: ['"a,]"', '"a,]"'],
      global: '{"x":"}"}',
      queue: ['[0,1,{"type":"E"}]'],
    });
  });
});

describe('bfs on worker threads: one shared level, claimed state by state', () => {
  // Every worker claims states of the level from one cursor: both work from the top of the graph on, and no state
  // is expanded twice or skipped (a verified run expands every stored state exactly once).
  test('the work is shared, every state is expanded exactly once, and the counts stay the one-thread counts', async () => {
    const sys = system(hyp('trampoline-v3.15', 3, { hotplug: 2, vms: 1, cpuPm: 1, hotplugFromBoot: true }));
    const one = explore(sys);
    for (const workers of [2, 3]) {
      const r = await exploreWorkers(sys, { workers });
      const by = r.workers.expandedBy!;
      expect(by).toHaveLength(workers);
      expect(by.reduce((a, b) => a + b, 0)).toBe(one.stats.states);
      expect(Math.min(...by)).toBeGreaterThan(0);
      expect(figures(r)).toEqual(figures(one));
    }
  });
});
