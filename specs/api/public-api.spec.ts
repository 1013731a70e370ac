/**
 * The package as a user sees it: only the public import paths 'hypsim' and 'hypsim/jest' (built by
 * `pretest`; specs/tsconfig.json type-checks this file against dist/*.d.ts). The examples of the README's
 * "Tests over all interleavings" section, run.
 */
import { stripVTControlCharacters } from 'node:util';
import { joined } from '../regexp';
import {
  InputError,
  InterleavingError,
  TraceError,
  explore,
  forAllInterleavings,
  renderTimeline,
  replay,
  scenario,
  simulate,
  system,
  type CpuContext,
  type ExploreOptions,
  type ExploreResult,
  type HypEvents,
  type InterleavingState,
  type Memory,
  type System,
  type TraceEntry,
} from 'hypsim';
import { explainResult, hypsimMatchers } from 'hypsim/jest'; // importing it registers the matchers

describe('the API from the package root', () => {
  const sys: System = system({ design: 'legacy', layout: 'collide', cpus: 2, hotplug: 0, vms: 0 });

  test('explore returns the object `hypsim explore --json` prints', () => {
    const r: ExploreResult = explore(sys);
    // The documented fields of the --json object (README "The explore contract").
    for (const k of ['design', 'layout', 'cpus', 'hotplug', 'vms', 'hotplugFromBoot', 'strategy', 'seed', 'symmetry', 'por', 'result', 'violation', 'stats'])
      expect(r).toHaveProperty(k);
    expect(r).not.toHaveProperty('scenario'); // only with a scenario
    expect(r).toMatchObject({ design: 'legacy', layout: 'collide', cpus: 2, hotplug: 0, vms: 0, strategy: 'bfs', seed: 1, result: 'violation' });
    expect(r.violation!.invariant).toBe('wrong-translation');
    expect(Object.keys(r.stats).sort()).toEqual(['depth', 'peakMemoryMB', 'seconds', 'states', 'transitions']);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  test('replay re-executes the trace; a trace for other bounds is refused', () => {
    const r = explore(sys);
    const again = replay(sys, r.violation!.trace);
    expect(again.violation).toEqual({ invariant: r.violation!.invariant, message: r.violation!.message });
    expect(again.trace).toEqual(r.violation!.trace);
    expect(() => replay(system({ design: 'trampoline', cpus: 2 }), r.violation!.trace)).toThrow(TraceError);
  });

  test('renderTimeline draws the per-CPU timeline', () => {
    const r = explore(sys);
    const text = renderTimeline(sys, r.violation!.trace, r.violation);
    expect(text).toMatch(/kern cpu0 cpu1 hplg/);
    expect(text).toMatch(/STALE entry, cached at step 8 through hyp_pgd/);
  });

  test('simulate runs one interleaving live, the same for the same seed, and it replays', async () => {
    const a = await simulate(sys, { seed: 7 });
    const b = await simulate(sys, { seed: 7 });
    expect(a.trace).toEqual(b.trace);
    const trace: TraceEntry[] = a.trace;
    expect(replay(sys, trace).violation?.invariant ?? null).toBe(a.violation?.invariant ?? null);
  });

  test('bad input is an InputError with one line', () => {
    expect(() => system({ design: 'trampolin', cpus: 2 })).toThrow(InputError);
    expect(() => explore(sys, { strategy: 'bogus' as ExploreOptions['strategy'] })).toThrow(/unknown strategy "bogus"/);
    expect(() => explore(sys, { scenario: { steps: [{ actor: 'cpu9', event: 'INIT' }] } })).toThrow(/steps\[0\]\.actor "cpu9" is not an actor of this system/);
  });
});

describe("the matchers from 'hypsim/jest'", () => {
  test('the seed fix holds under hotplug with a VM', () => {
    expect(system({ design: 'trampoline', cpus: 3, hotplug: 2, vms: 1 })).toHoldInAllInterleavings();
  });

  test('v3.9 on a 1G/3G split breaks wrong-translation', () => {
    expect(system({ design: 'legacy', layout: 'collide', cpus: 2 })).toBeViolatedBy('wrong-translation');
  });

  test('the README failure message is what the matcher prints', () => {
    let message = '';
    try {
      expect(system({ design: 'no-tlbi', cpus: 2, hotplug: 1 })).toHoldInAllInterleavings();
    } catch (e) {
      message = stripVTControlCharacters((e as Error).message);
    }
    const lines = message.split('\n');
    expect(lines.slice(0, 6)).toEqual([
      'expect(system).toHoldInAllInterleavings() // no-tlbi on collide, 2 CPUs, hotplug K=1, 0 VMs',
      '',
      'Expected every interleaving to hold every invariant, but one breaks wrong-translation:',
      '',
      '✗ wrong-translation after 30 steps: no-tlbi on collide, 2 CPUs, hotplug K=1, 0 VMs',
      '  cpu0 ACCESS at VA 0x80208000 got PA 0x80208000 (init page) from a stale TLB entry; expected stack cpu0 at PA 0xc0208000',
    ]);
    expect(message).toContain(
      '   13  ·    ●     cpu0     SWITCH_PGD            fetch VA 0xffff0000: TLB hit → PA 0x80208000 (init page); ' + 'HTTBR := hyp_pgd',
    );
    expect(message).toContain(
      '   30  ·    ✗     cpu0     ACCESS                HYP uses stack cpu0 — VA 0x80208000: TLB hit → PA 0x80208000 (init page) — STALE entry, ' +
        'cached at step 9 through boot_hyp_pgd; hyp_pgd now gives PA 0xc0208000 (stack cpu0) ✗ wrong-translation',
    );
  });

  test('explainResult gives the same report outside the matchers; hypsimMatchers is what expect.extend takes', () => {
    const s = system({ design: 'legacy', layout: 'collide', cpus: 2 });
    expect(explainResult(s, explore(s))).toMatch(/^✗ wrong-translation after 24 steps: legacy on collide, 2 CPUs, hotplug K=0, 0 VMs\n/);
    expect(typeof hypsimMatchers.toBeViolatedBy).toBe('function');
  });
});

describe('forAllInterleavings', () => {
  test('once the boot pgd is freed, no CPU walks it: HTTBR never points at it', () => {
    const sys = system({ design: 'trampoline', cpus: 2, hotplug: 0 }); // K=0: free_boot_hyp_pgd runs
    let freedStates = 0;
    const r = forAllInterleavings<Memory>(sys, (s) => {
      if (!s.memory.boot.freed) return;
      freedStates++;
      for (const cpu of ['cpu0', 'cpu1']) expect((s.actors[cpu].context as CpuContext).httbr).not.toBe('boot');
    });
    expect(r.complete).toBe(true);
    expect(freedStates).toBeGreaterThan(0);
    expect(r.states).toBeGreaterThan(freedStates);
  });

  test('a failing check names the state and shows a shortest run to it', () => {
    const sys = system({ design: 'trampoline', cpus: 2, hotplug: 1 });
    let err: unknown;
    try {
      // Wrong on purpose: a CPU does reach runtime before the kernel is up (it waits for the other CPU).
      forAllInterleavings<Memory>(sys, (s: InterleavingState<Memory>) => !s.actors.cpu1.matches('runtime') || s.memory.kvmUp);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InterleavingError);
    const e = err as InterleavingError;
    expect(e.message).toMatch(
      joined(
        /^forAllInterleavings: the check failed in a state reached after 15 steps\n\ncheck returned false\n\nstate: kernel: wait-cpus, /,
        /cpu0: off\.stub, cpu1: runtime, hotplug: idle; pending: cpu1 → kernel DONE, kernel → cpu0 INIT\n/,
      ),
    );
    expect(e.message).toMatch(
      joined(
        / {3}15 {2}· {4}· {4}● {4}· {5}cpu1 {5}ERET +fetch VA 0xffff0000: TLB miss, walk hyp_pgd → PA 0x80208000 \(init page\), cached; /,
        /back in the kernel, HYP up/,
      ),
    );
    expect(e.trace[e.trace.length - 1].step).toBe(15);
    expect(replay(sys, e.trace).violation).toBeNull();
    expect(e.state.actors.cpu1.state).toBe('runtime');
  });

  test('bounded by maxStates: an error by default, a partial result with onLimit: stop', () => {
    const sys = system({ design: 'trampoline', cpus: 3, hotplug: 2, vms: 1 });
    expect(() => forAllInterleavings(sys, () => true, { maxStates: 500 })).toThrow(/more than 500 reachable states; raise maxStates/);
    const r = forAllInterleavings(sys, () => true, { maxStates: 500, onLimit: 'stop' });
    expect(r.complete).toBe(false);
  });
});

describe('scenarios', () => {
  test('free-boot-pgd breaks only when a CPU comes back: pin it', () => {
    const cpu1Returns = scenario<HypEvents>().after('kernel', 'FREE_BOOT_HYP_PGD').then('hotplug', 'DOWN', { cpu: 1 }).then('hotplug', 'UP', { cpu: 1 });
    const sys = system({ design: 'free-boot-pgd', cpus: 2, hotplug: 1 });
    expect(sys).toBeViolatedBy('use-after-free', { scenario: cpu1Returns.checkOnceComplete() });
    const r = explore(sys, { scenario: cpu1Returns.checkOnceComplete() });
    expect(r.scenario).toMatchObject({ completed: true, atViolation: 3, check: 'once-complete' });
  });

  test('an unsatisfiable scenario is reported, not verified', () => {
    const r = explore(system({ design: 'trampoline', cpus: 2, hotplug: 1 }), {
      scenario: scenario<HypEvents>().then('hotplug', 'DOWN').then('kernel', 'KVM_UP'),
    });
    expect(r.result).toBe('unsatisfiable');
    expect(r.scenario!.summary).toMatch(/^the pinned schedule never completed/);
  });
});
