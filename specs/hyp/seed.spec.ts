/**
 * ../shared/MODEL.md "What the seed says and the checker must reproduce", row by row, as a user writes it:
 * the public import paths and the interleaving matchers. (specs/hyp/explorer.spec.ts checks the same table
 * against the explorer's internals with every reduction on and off.)
 */
import { system } from 'hypsim';
import 'hypsim/jest';

describe('MODEL.md: what the seed says', () => {
  describe('legacy (v3.9): one HYP pgd, the idmap torn down after init, no TLBI, no cpu notifier', () => {
    test('disjoint, K=0: verified — no collision, no hotplug: the old code works', () => {
      expect(system({ design: 'legacy', layout: 'disjoint', cpus: 2, hotplug: 0 })).toHoldInAllInterleavings();
      expect(system({ design: 'legacy', layout: 'disjoint', cpus: 3, hotplug: 0, vms: 1 })).toHoldInAllInterleavings();
    });
    test('collide, K=0: wrong-translation — an idmap entry cached during init shadows the HYP text mapped later at the same VA', () => {
      expect(system({ design: 'legacy', layout: 'collide', cpus: 2, hotplug: 0 })).toBeViolatedBy('wrong-translation');
      expect(system({ design: 'legacy', layout: 'collide', cpus: 1, hotplug: 0 })).toBeViolatedBy('wrong-translation');
    });
    test('disjoint, K≥1: init-completes — the CPU comes back and gets no init ("we need an idmap which is long gone")', () => {
      expect(system({ design: 'legacy', layout: 'disjoint', cpus: 2, hotplug: 1 })).toBeViolatedBy('init-completes');
      expect(system({ design: 'legacy', layout: 'disjoint', cpus: 3, hotplug: 2 })).toBeViolatedBy('init-completes');
    });
    test('collide, K≥1: wrong-translation comes first', () => {
      expect(system({ design: 'legacy', layout: 'collide', cpus: 2, hotplug: 1 })).toBeViolatedBy('wrong-translation');
    });
  });

  describe('trampoline (v3.10, the seed as merged): boot and runtime pgds joined by a trampoline page', () => {
    test.each([
      ['collide', 2, 2, 1],
      ['collide', 3, 2, 1],
      ['disjoint', 3, 2, 1],
      ['collide', 3, 1, 0],
      ['collide', 2, 0, 1],
      ['disjoint', 1, 0, 0],
    ] as const)("%s, N=%i K=%i, %i VM: verified — the seed's fix", (layout, cpus, hotplug, vms) => {
      expect(system({ design: 'trampoline', layout, cpus, hotplug, vms })).toHoldInAllInterleavings();
    });
    test('with hotplug from boot, K≥1: init-completes — the v3.10 window between on_each_cpu and register_cpu_notifier', () => {
      expect(system({ design: 'trampoline', cpus: 2, hotplug: 1, hotplugFromBoot: true })).toBeViolatedBy('init-completes');
      expect(system({ design: 'trampoline', layout: 'disjoint', cpus: 3, hotplug: 2, hotplugFromBoot: true })).toBeViolatedBy('init-completes');
    });
  });

  describe('trampoline-v3.15: cpu_notifier_register_begin/done around init', () => {
    test('with hotplug from boot: verified — hotplug waits while KVM initialises', () => {
      expect(system({ design: 'trampoline-v3.15', cpus: 2, hotplug: 1, hotplugFromBoot: true })).toHoldInAllInterleavings();
      expect(system({ design: 'trampoline-v3.15', cpus: 3, hotplug: 2, vms: 1, hotplugFromBoot: true })).toHoldInAllInterleavings();
    });
  });

  describe('the verdicts do not depend on the reductions', () => {
    test.each([
      ['symmetry off', { symmetry: false }],
      ['POR off', { por: false }],
      ['depth first', { strategy: 'dfs' as const }],
    ])('%s', (_name, options) => {
      expect(system({ design: 'legacy', layout: 'collide', cpus: 2 })).toBeViolatedBy('wrong-translation', options);
      expect(system({ design: 'legacy', layout: 'disjoint', cpus: 2, hotplug: 1 })).toBeViolatedBy('init-completes', options);
      expect(system({ design: 'trampoline', cpus: 2, hotplug: 2, vms: 1 })).toHoldInAllInterleavings(options);
      expect(system({ design: 'trampoline', cpus: 2, hotplug: 1, hotplugFromBoot: true })).toBeViolatedBy('init-completes', options);
      expect(system({ design: 'trampoline-v3.15', cpus: 2, hotplug: 1, hotplugFromBoot: true })).toHoldInAllInterleavings(options);
    });
  });
});
