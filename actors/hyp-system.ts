/**
 * Wires the HYP-init machines into one system on the bus: N CPUs, the kernel, the hotplug controller and
 * M VMs over shared memory. This is where the model reads page tables: each CPU step is offered with the
 * walk of the VA it fetches, under the CPU's own HTTBR (hyp-offers.ts); which steps commute is in
 * hyp-independence.ts and what is refused in hyp-config.ts; the explorer only sees actors and events.
 */
import type { ActorDecl, BusSpec } from '../bus/spec';
import { hypInvariants } from '../invariants/hyp';
import { createCpuMachine } from '../machines/cpu';
import { createCpuPmMachine } from '../machines/cpu-pm';
import { createHotplugMachine } from '../machines/hotplug';
import { createKernelMachine } from '../machines/kernel';
import { kernelSteps, type KernelStep } from '../machines/kernel-steps';
import { createVmMachine } from '../machines/vm';
import { applyWrite, initialMemory, memoryKey, type Memory, type MemWrite, type PgdName } from '../mmu/memory';
import { volatileVas } from '../mmu/volatile';
import { type HypConfig, type HypParts, validateHypConfig } from './hyp-config';
import { hypIndependence } from './hyp-independence';
import { hypOffers } from './hyp-offers';

export { checkBounds, cpuIndex, type HypConfig, limits } from './hyp-config';

export interface HypSystem {
  readonly config: HypConfig;
  readonly spec: BusSpec<Memory>;
  readonly kernelSteps: readonly KernelStep[];
  readonly tracked: ReadonlySet<number>;
  /** Actor indices of the CPUs, in CPU order. */
  readonly cpuActors: readonly number[];
}

/** The actors, each with its role: the kernel, the CPUs, hotplug, CPU PM if bounded, the VMs. */
function hypActors(config: HypConfig, rtPgd: PgdName, ksteps: readonly KernelStep[], tracked: ReadonlySet<number>): ActorDecl[] {
  const { design, layout, cpus, hotplug, vms } = config;
  const cpuPm = config.cpuPm ?? 0;
  const cpuMachine = createCpuMachine({ design, layout, tracked });
  // A CPU whose own pages are tracked, or share an address with another page, is singled out by the layout.
  const plain = (i: number) => ![layout.stacks[i], layout.hostCtx[i]].some((p) => tracked.has(p.va));
  // The v3.9 kernel calls CPUs in id order: that order tells CPUs apart, so no CPU symmetry there.
  const symmetry = (i: number) => (design.initOrder === 'sequential' ? undefined : plain(i) ? 'cpu' : `cpu${i}`);
  return [
    { id: 'kernel', role: 'kernel', machine: createKernelMachine(ksteps) },
    ...Array.from({ length: cpus }, (_, i): ActorDecl => ({ id: `cpu${i}`, role: 'cpu', machine: cpuMachine, symmetry: symmetry(i), offersScope: 'self' })),
    { id: 'hotplug', role: 'hotplug', machine: createHotplugMachine(hotplug) },
    ...(cpuPm > 0 ? [{ id: 'cpupm', role: 'cpupm', machine: createCpuPmMachine(cpuPm) } satisfies ActorDecl] : []),
    ...Array.from(
      { length: vms },
      (_, j): ActorDecl => ({ id: `vm${j}`, role: 'vm', machine: createVmMachine(j, layout.vms[j], rtPgd, design.kvmCore), offersScope: 'self' }),
    ),
  ];
}

export function buildHypSystem(config: HypConfig): HypSystem {
  validateHypConfig(config);
  const { design, layout, cpus, hotplug, vms } = config;
  const rtPgd: PgdName = design.pgds === 'pkvm' ? 'pkvm' : 'hyp';
  const ksteps = kernelSteps(design, layout, { cpus, hotplug });
  const vmWrites: MemWrite[] = layout.vms.slice(0, vms).map((p, j) => ({ type: 'mem.map', pgd: rtPgd, va: p.va, pa: p.pa, what: `vm${j} struct` }));
  const tracked = volatileVas([...ksteps.flatMap((s) => s.writes), ...vmWrites], [layout.idmapVa, layout.trampolineVa], config.tlbScope);
  const actors = hypActors(config, rtPgd, ksteps, tracked);
  const cpuActors = actors.map((a, i) => (a.role === 'cpu' ? i : -1)).filter((i) => i >= 0);
  const parts: HypParts = { config, rtPgd, ksteps, tracked, cpuActors };

  const spec: BusSpec<Memory> = {
    name: `${design.name}/${layout.name}/N=${cpus}/K=${hotplug}/M=${vms}${config.hotplugFromBoot ? '/from-boot' : ''}`,
    actors,
    initialGlobal: initialMemory,
    globalKey: memoryKey,
    offers: hypOffers(parts),
    enrich(view, _a, event) {
      // notify_cpu_starting (cpu_pm_exit) reads the notifier chain as it is when the CPU boots (wakes).
      // v4.7+ KVM core: kvm_cpu_hotplug and the CPU PM notifier re-enable HYP only while a VM exists.
      const core = !design.kvmCore || view.global.vmExists;
      if (event.type === 'CPU_UP') return { ...event, notifier: view.global.notifier && core };
      if (event.type === 'CPU_PM_EXIT') return { ...event, notifier: view.global.pmNotifier && core };
      return event;
    },
    write: (m, effect) => applyWrite(m, effect as MemWrite),
    invariants: hypInvariants(layout, rtPgd, design.kvmCore ? 'hyp-up-while-vm' : 'init-completes'),
    independent: hypIndependence(parts),
    // Every loop makes progress: downs are bounded, init and the kernel only go forward, TLB fills are
    // monotone between a CPU's TLBIs (one per init) and power-offs (one per down).
    acyclic: true,
    readFields: ['walk', 'online', 'notifier'],
  };
  return { config, spec, kernelSteps: ksteps, tracked, cpuActors };
}
