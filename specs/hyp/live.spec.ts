import { replay } from '../../api/explore';
import { system } from '../../api/system';
import { simulate } from '../../actors/live';
import { firstDelivery } from '../../bus/delivery';
import { LiveBus } from '../../bus/live-bus';
import type { TraceEntry } from '../../bus/trace';

describe('live runs: real actors on the RxJS bus', () => {
  test('deterministic per seed, and every delivery is a trace entry', async () => {
    const sys = system({ design: 'trampoline', cpus: 3, hotplug: 2, vms: 1 });
    const a = await simulate(sys, { seed: 11 });
    const b = await simulate(sys, { seed: 11 });
    expect(a.trace).toEqual(b.trace);
    expect(a.violation).toBeNull();
    expect(a.quiescent).toBe(true);
    expect(a.trace.every((e) => typeof e.step === 'number' && e.from && e.to && e.event)).toBe(true);
  });
  test('a live run replays step for step in the explorer and ends the same way', async () => {
    for (const [design, seed] of [
      ['legacy', 4],
      ['no-tlbi', 9],
      ['trampoline', 2],
    ] as const) {
      const sys = system({ design, cpus: 3, hotplug: 1, vms: 1 });
      const live = await simulate(sys, { seed });
      const r = replay(sys, live.trace);
      expect(r.violation?.invariant ?? null).toBe(live.violation?.invariant ?? null);
      expect(r.trace).toEqual(live.trace);
    }
  });
  test('random seeds on legacy, collide find wrong-translation within a few hundred seeds', async () => {
    const sys = system({ design: 'legacy', layout: 'collide', cpus: 2, hotplug: 0 });
    let found = -1;
    for (let seed = 1; seed <= 300 && found < 0; seed++) if ((await simulate(sys, { seed })).violation?.invariant === 'wrong-translation') found = seed;
    expect(found).toBeGreaterThan(0);
  });
  test('the bus publishes deliveries as they happen, with a policy chosen by value', async () => {
    const sys = system({ design: 'trampoline', cpus: 2, hotplug: 0 });
    const bus = new LiveBus(sys.spec, { policy: firstDelivery });
    const seen: TraceEntry[] = [];
    bus.deliveries$.subscribe((e) => seen.push(e));
    const out = await bus.run();
    expect(seen).toEqual(out.trace);
    expect(seen[0]).toMatchObject({ from: 'kernel', to: 'kernel', event: 'KVM_MMU_INIT' });
    expect(out.violation).toBeNull();
  });
});
