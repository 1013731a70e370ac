/**
 * What each HYP actor may do next, offered to the bus: a CPU its next step (with the walk of the VA it
 * fetches, under its own HTTBR), runtime accesses and speculative TLB fills; the kernel its next step;
 * hotplug and CPU PM their downs, ups and idle entries; a VM its creation.
 */
import type { AnyMachineSnapshot } from 'xstate';
import type { BusEvent, WorldView } from '../bus/spec';
import type { CpuContext } from '../machines/cpu-context';
import type { StepMeta } from '../machines/cpu';
import type { Memory } from '../mmu/memory';
import { walk, type Pgd } from '../mmu/pgd';
import { lookup } from '../mmu/tlb';
import { translate } from '../mmu/translate';
import { InternalError } from '../util/errors';
import { cpuIndex, type HypParts } from './hyp-config';

type Offers = (view: WorldView<Memory>, a: number) => BusEvent[];

export function stepMeta(s: AnyMachineSnapshot): StepMeta | undefined {
  for (const m of Object.values(s.getMeta() as Record<string, StepMeta | undefined>)) if (m?.step) return m;
  return undefined;
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

/** Runtime accesses of a CPU to its pages that would change something (a miss, a wrong page, a TLB fill). */
function runtimeAccesses(parts: HypParts, view: WorldView<Memory>, a: number, pgd: Pgd, c: CpuContext): BusEvent[] {
  const { layout, vms } = parts.config;
  const m = view.global;
  const i = cpuIndex(view.actors[a].id);
  const pages = [
    { page: 'HYP text', ref: layout.text },
    { page: `stack cpu${i}`, ref: layout.stacks[i] },
    { page: `host ctx cpu${i}`, ref: layout.hostCtx[i] },
    ...layout.vms
      .slice(0, vms)
      .map((ref, j) => ({ page: `vm${j} struct`, ref }))
      .filter((p) => {
        const w = walk(m[parts.rtPgd], p.ref.va);
        return w.kind === 'mapped' && w.pa === p.ref.pa; // created: kvm_arch_init_vm mapped it
      }),
  ];
  const out: BusEvent[] = [];
  for (const p of pages) {
    const w = walk(pgd, p.ref.va);
    const t = translate(c.tlb, p.ref.va, w, parts.tracked.has(p.ref.va));
    // An access that gets the right page and caches nothing new changes nothing: not offered.
    const noop = (t.kind === 'hit' && t.pa === p.ref.pa) || (t.kind === 'walked' && t.pa === p.ref.pa && t.tlb === c.tlb);
    if (!noop) out.push({ type: 'ACCESS', va: p.ref.va, walk: w, expect: p.ref.pa, page: p.page });
  }
  return out;
}

function cpuOffers(parts: HypParts): Offers {
  const { layout } = parts.config;
  const trackedSorted = [...parts.tracked].sort((a, b) => a - b);
  return (view, a) => {
    const snap = view.snapshot(a);
    const c = snap.context as CpuContext;
    const m = view.global;
    if (snap.matches('fault')) return [];
    const out: BusEvent[] = [];
    const pgd = pgdOf(m, c);
    const meta = stepMeta(snap);
    if (meta?.fetch) {
      const va = meta.fetch === 'idmap' ? layout.idmapVa : meta.fetch === 'tramp' ? layout.trampolineVa : layout.text.va;
      out.push({ type: meta.step, va, walk: pgd ? walk(pgd, va) : { kind: 'unmapped' } });
    } else if (meta) out.push({ type: meta.step });
    if (snap.matches('runtime') && m.kvmUp && pgd) out.push(...runtimeAccesses(parts, view, a, pgd, c));
    if (c.mmu && pgd) {
      for (const va of trackedSorted) {
        if (lookup(c.tlb, va) !== undefined) continue;
        const w = walk(pgd, va);
        if (w.kind !== 'unmapped') out.push({ type: 'SPECULATE', va, walk: w });
      }
    }
    return out;
  };
}

function onlineCpus(parts: HypParts, view: WorldView<Memory>): number[] {
  return parts.cpuActors.filter((a) => (view.snapshot(a).context as CpuContext).online).map((a) => cpuIndex(view.actors[a].id));
}

function kernelOffers(parts: HypParts): Offers {
  return (view, a) => {
    const meta = stepMeta(view.snapshot(a));
    if (!meta) return [];
    const step = parts.ksteps.find((s) => s.event === meta.step);
    if (!step) throw new InternalError(`kernel step ${meta.step} is not in the step list`);
    if (step.whenVmExists && !view.global.vmExists) return [];
    return [step.ipi ? { type: meta.step, online: onlineCpus(parts, view) } : { type: meta.step }];
  };
}

function hotplugOffers(parts: HypParts): Offers {
  const { hotplug, hotplugFromBoot } = parts.config;
  return (view, a) => {
    const m = view.global;
    if (!(m.kvmUp || hotplugFromBoot) || m.hotplugLock) return [];
    const downs = (view.snapshot(a).context as { downs: number }).downs;
    const out: BusEvent[] = [];
    const online = onlineCpus(parts, view);
    for (const ca of parts.cpuActors) {
      const cpu = cpuIndex(view.actors[ca].id);
      // stop_machine cannot run while the kernel is in on_each_cpu (preemption off), nor the last online CPU.
      if (downs < hotplug && !m.ipiBusy && online.length > 1 && takeable(view, ca)) out.push({ type: 'DOWN', cpu });
      if (view.snapshot(ca).matches({ off: 'offline' })) out.push({ type: 'UP', cpu });
    }
    return out;
  };
}

function cpuPmOffers(parts: HypParts): Offers {
  const cpuPm = parts.config.cpuPm ?? 0;
  return (view, a) => {
    const m = view.global;
    // cpuidle runs once KVM is up here; an IPI wakes an idle CPU (EXIT), but no CPU enters idle while the kernel waits in on_each_cpu.
    if (!m.kvmUp) return [];
    const entries = (view.snapshot(a).context as { entries: number }).entries;
    const out: BusEvent[] = [];
    for (const ca of parts.cpuActors) {
      const cpu = cpuIndex(view.actors[ca].id);
      if (entries < cpuPm && !m.ipiBusy && takeable(view, ca)) out.push({ type: 'ENTER', cpu });
      if (view.snapshot(ca).matches({ off: 'idle' })) out.push({ type: 'EXIT', cpu });
    }
    return out;
  };
}

const vmOffers: Offers = (view, a) => (view.global.kvmUp && view.snapshot(a).matches('idle') ? [{ type: 'CREATE_VM' }] : []);

/** The offers of every HYP actor, chosen by the role it was declared with. */
export function hypOffers(parts: HypParts): Offers {
  const byRole: Record<string, Offers> = {
    cpu: cpuOffers(parts),
    kernel: kernelOffers(parts),
    hotplug: hotplugOffers(parts),
    cpupm: cpuPmOffers(parts),
    vm: vmOffers,
  };
  return (view, a) => {
    const role = view.actors[a].role;
    const offers = role === undefined ? undefined : byRole[role];
    if (!offers) throw new InternalError(`HYP actor ${view.actors[a].id} has no known role (${role})`);
    return offers(view, a);
  };
}
