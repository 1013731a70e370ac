/**
 * Wires the HYP-init machines into one system on the bus: N CPUs, the kernel, the hotplug controller and
 * M VMs over shared memory. This is where the model reads page tables: each CPU step is offered with the
 * walk of the VA it fetches, under the CPU's own HTTBR; the explorer only sees actors and events.
 */
import type { AnyMachineSnapshot } from 'xstate';
import type { ActorDecl, BusEvent, BusSpec, WorldView } from '../bus/spec';
import { checkDesign, type Design } from '../design/design';
import { hypInvariants } from '../invariants/hyp';
import type { CpuContext } from '../machines/cpu-context';
import { createCpuMachine, type StepMeta } from '../machines/cpu';
import { initPhases, teardownSteps } from '../machines/cpu-steps';
import { createCpuPmMachine } from '../machines/cpu-pm';
import { createHotplugMachine } from '../machines/hotplug';
import { createKernelMachine, eachWaitState } from '../machines/kernel';
import { kernelSteps, type KernelStep } from '../machines/kernel-steps';
import { createVmMachine } from '../machines/vm';
import { checkLayout, runtimePages, type Layout } from '../mmu/layout';
import { applyWrite, initialMemory, memoryKey, type Memory, type MemWrite } from '../mmu/memory';
import { hex, walk, type Pgd } from '../mmu/pgd';
import { lookup } from '../mmu/tlb';
import { translate } from '../mmu/translate';
import { volatileVas } from '../mmu/volatile';
import { InputError } from '../util/errors';

export interface HypConfig {
  readonly design: Design;
  readonly layout: Layout;
  readonly cpus: number;
  /** At most this many CPU-down operations in a run (K). */
  readonly hotplug: number;
  readonly vms: number;
  /** Hotplug may act from boot, while kvm_arch_init runs (default: once KVM is up). */
  readonly hotplugFromBoot: boolean;
  /** Which VAs' TLB entries are modelled (mmu/volatile.ts). */
  readonly tlbScope: 'volatile' | 'all';
  /** At most this many deep-idle entries (CPU PM) in a run. */
  readonly cpuPm?: number;
}

export interface HypSystem {
  readonly config: HypConfig;
  readonly spec: BusSpec<Memory>;
  readonly kernelSteps: readonly KernelStep[];
  readonly tracked: ReadonlySet<number>;
  /** Actor indices of the CPUs, in CPU order. */
  readonly cpuActors: readonly number[];
}

export const limits = { cpus: 64, hotplug: 16, vms: 8, cpuPm: 16 };

export function checkBounds(cpus: number, hotplug: number, vms: number, cpuPm = 0): void {
  const int = (v: number, name: string, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max) throw new InputError(`${name} must be an integer from ${min} to ${max}, got ${v}`);
  };
  int(cpus, '--cpus', 1, limits.cpus);
  int(hotplug, '--hotplug', 0, limits.hotplug);
  int(vms, '--vms', 0, limits.vms);
  int(cpuPm, '--cpu-pm', 0, limits.cpuPm);
}

function isCpu(id: string): boolean {
  return /^cpu\d+$/.test(id);
}

export function cpuIndex(id: string): number {
  return Number(id.slice(3));
}

function stepMeta(s: AnyMachineSnapshot): StepMeta | undefined {
  for (const m of Object.values(s.getMeta() as Record<string, StepMeta | undefined>)) if (m && m.step) return m;
  return undefined;
}

/** State value of each init step, in order, e.g. {trampoline: 'eret'}. */
function flatInit(d: Design, l: Layout): Record<string, string>[] {
  return initPhases(d, l.profile).flatMap((p) => p.steps.map((s) => ({ [p.name]: s.state })));
}

/** State value of the last teardown step, if the design tears HYP down. */
function lastTeardown(d: Design): Record<string, string> | null {
  const t = teardownSteps(d);
  return t.length ? { teardown: t[t.length - 1].state } : null;
}

/**
 * A CPU that hotplug or CPU PM may take away now: online, in the kernel with HYP up or on the stub (never in
 * the middle of its init or teardown code), with no message waiting for it.
 */
function takeable(view: WorldView<Memory>, a: number): boolean {
  const s = view.snapshot(a);
  return (s.context as CpuContext).online && (s.matches({ off: 'stub' }) || s.matches('runtime')) && view.pendingFor(a).length === 0;
}

function pgdOf(m: Memory, c: CpuContext): Pgd | undefined {
  return c.httbr ? m[c.httbr] : undefined;
}

export function buildHypSystem(config: HypConfig): HypSystem {
  const { design, layout, cpus, hotplug, vms } = config;
  const cpuPm = config.cpuPm ?? 0;
  checkBounds(cpus, hotplug, vms, cpuPm);
  checkDesign(design);
  checkLayout(layout);
  if (design.hotplugCpu === 'n' && hotplug > 0)
    throw new InputError(`design ${design.name} is built without CONFIG_HOTPLUG_CPU (hotplugCpu "n"): --hotplug must be 0, got ${hotplug}`);
  const rtPgd = design.pgds === 'pkvm' ? 'pkvm' : 'hyp';
  if (design.pgds === 'merged' || design.pgds === 'pkvm') {
    // v4.8 arch/arm/kvm/mmu.c kvm_mmu_init: "IDMAP intersecting with HYP VA, unable to continue".
    const clash = runtimePages(layout).find((p) => p.ref.va === layout.idmapVa && (p.cpu === undefined || p.cpu < cpus) && (p.vm === undefined || p.vm < vms));
    if (clash) throw new InputError(`design ${design.name} on layout ${layout.name}: the idmap VA ${hex(layout.idmapVa)} is also the HYP VA of ${clash.name}; with one HYP pgd kvm_mmu_init refuses this ("IDMAP intersecting with HYP VA")`);
  }
  if (layout.stacks.length < cpus || layout.hostCtx.length < cpus) throw new InputError(`layout ${layout.name} has pages for fewer than ${cpus} CPUs`);
  if (layout.vms.length < vms) throw new InputError(`layout ${layout.name} has pages for fewer than ${vms} VMs`);

  const ksteps = kernelSteps(design, layout, { cpus, hotplug });
  const vmWrites: MemWrite[] = layout.vms.slice(0, vms).map((p, j) => ({ type: 'mem.map', pgd: rtPgd, va: p.va, pa: p.pa, what: `vm${j} struct` }));
  const tracked = volatileVas([...ksteps.flatMap((s) => s.writes), ...vmWrites], [layout.idmapVa, layout.trampolineVa], config.tlbScope);
  const trackedSorted = [...tracked].sort((a, b) => a - b);
  const cpuMachine = createCpuMachine({ design, layout, tracked });

  // A CPU whose own pages are tracked, or share an address with another page, is singled out by the layout.
  const plain = (i: number) => ![layout.stacks[i], layout.hostCtx[i]].some((p) => tracked.has(p.va));
  const actors: ActorDecl[] = [
    { id: 'kernel', machine: createKernelMachine(ksteps) },
    ...Array.from({ length: cpus }, (_, i): ActorDecl => ({ id: `cpu${i}`, machine: cpuMachine, symmetry: plain(i) ? 'cpu' : `cpu${i}`, offersScope: 'self' })),
    { id: 'hotplug', machine: createHotplugMachine(hotplug) },
    ...(cpuPm > 0 ? [{ id: 'cpupm', machine: createCpuPmMachine(cpuPm) } satisfies ActorDecl] : []),
    ...Array.from({ length: vms }, (_, j): ActorDecl => ({ id: `vm${j}`, machine: createVmMachine(j, layout.vms[j], rtPgd, design.kvmCore), offersScope: 'self' })),
  ];
  const cpuActors = actors.map((a, i) => (isCpu(a.id) ? i : -1)).filter((i) => i >= 0);
  // The v3.9 kernel calls CPUs in id order: that order tells CPUs apart, so no CPU symmetry there.
  if (design.initOrder === 'sequential') for (const i of cpuActors) (actors[i] as { symmetry?: string }).symmetry = undefined;

  const cpuOffers = (view: WorldView<Memory>, a: number): BusEvent[] => {
    const snap = view.snapshot(a);
    const c = snap.context as CpuContext;
    const m = view.global;
    if (snap.matches('fault')) return [];
    const out: BusEvent[] = [];
    const pgd = pgdOf(m, c);
    const meta = stepMeta(snap);
    if (meta) {
      if (meta.fetch) {
        const va = meta.fetch === 'idmap' ? layout.idmapVa : meta.fetch === 'tramp' ? layout.trampolineVa : layout.text.va;
        out.push({ type: meta.step, va, walk: pgd ? walk(pgd, va) : { kind: 'unmapped' } });
      } else out.push({ type: meta.step });
    }
    if (snap.matches('runtime') && m.kvmUp && pgd) {
      const i = cpuIndex(view.actors[a].id);
      const pages = [
        { page: 'HYP text', ref: layout.text },
        { page: `stack cpu${i}`, ref: layout.stacks[i] },
        { page: `host ctx cpu${i}`, ref: layout.hostCtx[i] },
        ...layout.vms.slice(0, vms).map((ref, j) => ({ page: `vm${j} struct`, ref })).filter((p) => {
          const w = walk(m[rtPgd], p.ref.va);
          return w.kind === 'mapped' && w.pa === p.ref.pa; // created: kvm_arch_init_vm mapped it
        }),
      ];
      for (const p of pages) {
        const w = walk(pgd, p.ref.va);
        const t = translate(c.tlb, p.ref.va, w, tracked.has(p.ref.va));
        // An access that gets the right page and caches nothing new changes nothing: not offered.
        const noop = (t.kind === 'hit' && t.pa === p.ref.pa) || (t.kind === 'walked' && t.pa === p.ref.pa && t.tlb === c.tlb);
        if (!noop) out.push({ type: 'ACCESS', va: p.ref.va, walk: w, expect: p.ref.pa, page: p.page });
      }
    }
    if (c.mmu && pgd) {
      for (const va of trackedSorted) {
        if (lookup(c.tlb, va) !== undefined) continue;
        const w = walk(pgd, va);
        if (w.kind !== 'unmapped') out.push({ type: 'SPECULATE', va, walk: w });
      }
    }
    return out;
  };

  const onlineCpus = (view: WorldView<Memory>): number[] =>
    cpuActors.filter((a) => (view.snapshot(a).context as CpuContext).online).map((a) => cpuIndex(view.actors[a].id));

  const kernelOffers = (view: WorldView<Memory>, a: number): BusEvent[] => {
    const meta = stepMeta(view.snapshot(a));
    if (!meta) return [];
    const step = ksteps.find((s) => s.event === meta.step)!;
    if (step.whenVmExists && !view.global.vmExists) return [];
    return [step.ipi ? { type: meta.step, online: onlineCpus(view) } : { type: meta.step }];
  };

  const hotplugOffers = (view: WorldView<Memory>, a: number): BusEvent[] => {
    const m = view.global;
    if (!(m.kvmUp || config.hotplugFromBoot) || m.hotplugLock) return [];
    const downs = (view.snapshot(a).context as { downs: number }).downs;
    const out: BusEvent[] = [];
    const online = onlineCpus(view);
    for (const ca of cpuActors) {
      const cpu = cpuIndex(view.actors[ca].id);
      // stop_machine cannot run while the kernel is in on_each_cpu (preemption off), nor the last online CPU.
      if (downs < hotplug && !m.ipiBusy && online.length > 1 && takeable(view, ca)) out.push({ type: 'DOWN', cpu });
      if (view.snapshot(ca).matches({ off: 'offline' })) out.push({ type: 'UP', cpu });
    }
    return out;
  };

  // Partial-order reduction: which kernel states may still write a tracked VA or free a pgd, and which
  // VMs would map a tracked VA. A CPU inside its init code reads only tracked entries and writes only its
  // own registers and TLB, so if nobody can write those entries before it moves, it can go first.
  const touchesTracked = (w: MemWrite) => w.type === 'mem.free' || ((w.type === 'mem.map' || w.type === 'mem.unmap') && tracked.has(w.va));
  const kernelMayWrite = new Map<string, boolean>();
  ksteps.forEach((s, i) => kernelMayWrite.set(s.state, ksteps.slice(i).some((k) => k.writes.some(touchesTracked))));
  const afterWait = (ipi: 'one' | 'first') => {
    const i = ksteps.findIndex((s) => s.ipi === ipi);
    return i >= 0 && ksteps.slice(i).some((k) => k.writes.some(touchesTracked));
  };
  // Each on_each_cpu step has its own wait state; the kernel may write after it only in the steps that follow.
  ksteps.forEach((s, i) => {
    if (s.ipi === 'each') kernelMayWrite.set(eachWaitState(ksteps, s), ksteps.slice(i + 1).some((k) => k.writes.some(touchesTracked)));
  });
  kernelMayWrite.set('wait-cpu', afterWait('one'));
  kernelMayWrite.set('wait-pkvm', afterWait('first'));
  kernelMayWrite.set('up', false);
  const trackedVms = layout.vms.slice(0, vms).map((p, j) => (tracked.has(p.va) ? j : -1)).filter((j) => j >= 0);
  const lastInit = (() => {
    const phases = flatInit(design, layout);
    return phases[phases.length - 1];
  })();
  const teardownEnd = lastTeardown(design);

  const independent = (view: WorldView<Memory>, a: number): boolean => {
    const id = view.actors[a].id;
    if (!isCpu(id)) return false;
    const snap = view.snapshot(a);
    if (snap.matches('off') || snap.matches('runtime') || snap.matches('fault')) return false;
    const c = snap.context as CpuContext;
    // Going online (notifier path) or offline / idle (end of teardown) is seen by the kernel and by hotplug.
    if (c.via !== 'ipi' && snap.matches(lastInit)) return false;
    if (teardownEnd && snap.matches(teardownEnd)) return false;
    if (view.pendingFor(a).length) return false;
    const k = view.snapshot(view.indexOf('kernel'));
    const kernelWaitsForMe = c.via === 'ipi' && String(k.value).startsWith('wait-');
    if (!kernelWaitsForMe && kernelMayWrite.get(String(k.value)) !== false) return false;
    return trackedVms.every((j) => !view.snapshot(view.indexOf(`vm${j}`)).matches('idle'));
  };

  const cpuPmOffers = (view: WorldView<Memory>, a: number): BusEvent[] => {
    const m = view.global;
    // cpuidle runs once KVM is up here; an IPI wakes an idle CPU (EXIT), but no CPU enters idle while the kernel waits in on_each_cpu.
    if (!m.kvmUp) return [];
    const entries = (view.snapshot(a).context as { entries: number }).entries;
    const out: BusEvent[] = [];
    for (const ca of cpuActors) {
      const cpu = cpuIndex(view.actors[ca].id);
      if (entries < cpuPm && !m.ipiBusy && takeable(view, ca)) out.push({ type: 'ENTER', cpu });
      if (view.snapshot(ca).matches({ off: 'idle' })) out.push({ type: 'EXIT', cpu });
    }
    return out;
  };

  const spec: BusSpec<Memory> = {
    name: `${design.name}/${layout.name}/N=${cpus}/K=${hotplug}/M=${vms}${config.hotplugFromBoot ? '/from-boot' : ''}`,
    actors,
    initialGlobal: initialMemory,
    globalKey: memoryKey,
    offers(view, a) {
      const id = view.actors[a].id;
      if (isCpu(id)) return cpuOffers(view, a);
      if (id === 'kernel') return kernelOffers(view, a);
      if (id === 'hotplug') return hotplugOffers(view, a);
      if (id === 'cpupm') return cpuPmOffers(view, a);
      const s = view.snapshot(a);
      return view.global.kvmUp && s.matches('idle') ? [{ type: 'CREATE_VM' }] : [];
    },
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
    independent,
    // Every loop makes progress: downs are bounded, init and the kernel only go forward, TLB fills are
    // monotone between a CPU's TLBIs (one per init) and power-offs (one per down).
    acyclic: true,
    readFields: ['walk', 'online', 'notifier'],
  };
  return { config, spec, kernelSteps: ksteps, tracked, cpuActors };
}
