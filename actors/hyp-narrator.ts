/**
 * The HYP system's narrator (actors/system.ts): each delivery of a trace in the kernel's words — which VA a
 * CPU fetched, TLB hit or walk, which pgd, which page, which TLB entry was stale and since when; what the
 * kernel step wrote; hotplug, CPU PM and VM creation. The timeline (report/timeline.ts) prints these lines.
 */
import type { AnyMachineSnapshot } from 'xstate';
import type { Delivery } from '../bus/engine';
import type { Checkable } from '../explore/checkable';
import { pageAt } from '../invariants/hyp';
import type { CpuEvent } from '../machines/cpu';
import type { CpuContext } from '../machines/cpu-context';
import type { MemWrite } from '../mmu/memory';
import { pgdNames } from '../mmu/memory';
import { hex, type Walk } from '../mmu/pgd';
import { profiles } from '../mmu/profile';
import { lookup } from '../mmu/tlb';
import type { HypSystem } from './hyp-system';
import type { Narration, Narrator, NarratedLine } from './system';

interface Cached {
  step: number;
  pgd: string;
}

/** What the line writers share: the engine replaying the trace, the HYP system and TLB provenance. */
interface TimelineContext {
  readonly engine: Checkable;
  readonly hyp: HypSystem;
  readonly profile: (typeof profiles)[keyof typeof profiles];
  readonly page: (pa: number) => string;
  /** Per CPU, per cached VA: the step and pgd the TLB entry was filled from. */
  readonly provenance: Map<string, Map<number, Cached>>;
}

function walkText(ctx: TimelineContext, w: Walk, pgd: string): string {
  return w.kind === 'mapped'
    ? `walk ${pgd} → PA ${hex(w.pa)} (${ctx.page(w.pa)})`
    : w.kind === 'freed'
      ? `walk of ${pgd}, which was freed (HTTBR = virt_to_phys(NULL): not a page table)`
      : `walk ${pgd}: not mapped`;
}

function fetchText(ctx: TimelineContext, id: string, before: CpuContext, after: CpuContext, va: number, w: Walk): string {
  const pgd = before.httbr ? pgdNames[before.httbr] : 'no pgd';
  const cached = lookup(before.tlb, va);
  if (cached !== undefined) {
    const stale = w.kind !== 'mapped' || w.pa !== cached;
    const from = ctx.provenance.get(id)?.get(va);
    const since = from ? `, cached at step ${from.step} through ${from.pgd}` : '';
    const now = w.kind === 'mapped' ? `PA ${hex(w.pa)} (${ctx.page(w.pa)})` : w.kind;
    return `VA ${hex(va)}: TLB hit → PA ${hex(cached)} (${ctx.page(cached)})${stale ? ` — STALE entry${since}; ${pgd} now gives ${now}` : ''}`;
  }
  const filled = lookup(after.tlb, va) !== undefined && w.kind === 'mapped';
  return `VA ${hex(va)}: TLB miss, ${walkText(ctx, w, pgd)}${filled ? ', cached' : ''}`;
}

function regText(ctx: TimelineContext, b: CpuContext, a: CpuContext, event: string): string[] {
  const r: string[] = [];
  if (b.httbr !== a.httbr && a.httbr) r.push(`${ctx.profile.httbr} := ${pgdNames[a.httbr]}`);
  if (b.mmu !== a.mmu) r.push(`${ctx.profile.hsctlr}.M := ${a.mmu ? 1 : 0}`);
  if (b.hvbar !== a.hvbar)
    r.push(`${ctx.profile.hvbar} := ${a.hvbar === 'init' ? 'init vector (idmap)' : a.hvbar === 'runtime' ? '__kvm_hyp_vector' : 'stub vectors'}`);
  if (b.hsp !== a.hsp && a.hsp === 'stack') r.push(`${ctx.profile.hsp} := own HYP stack`);
  if (event === 'TLBI') r.push(`${ctx.profile.tlbi}: TLB emptied`);
  return r;
}

/** A power event in the kernel's words: [with a HYP teardown first (down) or a notifier re-init (up), without]. */
const powerText: Readonly<Record<'CPU_DOWN' | 'CPU_UP' | 'CPU_PM_ENTER' | 'CPU_PM_EXIT', readonly [string, string]>> = {
  CPU_DOWN: [
    'CPU_DYING: kvm_arch_hardware_disable → cpu_hyp_reset() tears HYP down before power-off',
    'powered off: TLB emptied, registers reset, HYP back to the stub at next power-on',
  ],
  CPU_UP: [
    'powered on; CPU_STARTING: hyp_init_cpu_notify → cpu_init_hyp_mode()',
    'powered on and online; no HYP init on the notifier chain: HYP stays the stub',
  ],
  CPU_PM_ENTER: ['CPU_PM_ENTER: cpu_hyp_reset() tears HYP down first', 'deep idle: core powered down, HYP state lost (TLB, HTTBR, HVBAR back to the stub)'],
  CPU_PM_EXIT: [
    "CPU_PM_EXIT: HVBAR is the stub's → cpu_init_hyp_mode()",
    'back from deep idle, online; no HYP init on the CPU PM notifier chain: HYP stays the stub',
  ],
};

/** The CPU is in a HYP teardown (v4.7+ cpu_hyp_reset before power-off or deep idle), not yet off. */
function tearsDown(as: AnyMachineSnapshot): boolean {
  return (as.value as Record<string, unknown>)?.teardown !== undefined;
}

function cpuLine(ctx: TimelineContext, id: string, d: Delivery, bs: AnyMachineSnapshot, as: AnyMachineSnapshot): { text: string; cite?: string } {
  const b = bs.context as CpuContext;
  const a = as.context as CpuContext;
  const e = d.event as CpuEvent;
  const meta = Object.values(bs.getMeta() as Record<string, { step?: string; cite?: string }>).find((m) => m?.step === e.type);
  const fault = as.matches('fault') && !bs.matches('fault') ? ` ✗ ${a.fault?.invariant}` : '';
  let text: string;
  switch (e.type) {
    case 'INIT':
      text = 'IPI arrives: cpu_init_hyp_mode()';
      break;
    case 'CPU_DOWN':
    case 'CPU_PM_ENTER':
      text = powerText[e.type][tearsDown(as) ? 0 : 1];
      break;
    case 'CPU_UP':
    case 'CPU_PM_EXIT':
      text = powerText[e.type][e.notifier ? 0 : 1];
      break;
    case 'SPECULATE': {
      const pgd = b.httbr ? pgdNames[b.httbr] : '?';
      const w = e.walk;
      const got = w.kind === 'mapped' ? ` → PA ${hex(w.pa)} (${ctx.page(w.pa)}) cached` : `: ${walkText(ctx, w, pgd)}`;
      text = `speculative walk (MMU on, ${pgd}): VA ${hex(e.va)}${got}`;
      break;
    }
    case 'ACCESS':
      text = `HYP uses ${e.page} — ${fetchText(ctx, id, b, a, e.va, e.walk)}`;
      break;
    default: {
      // A step with no fetch runs in the kernel (SET_VECTORS, a stub HVC) or in HYP with the MMU off, at the init page's PA.
      const where =
        'va' in e && e.va !== undefined
          ? `fetch ${fetchText(ctx, id, b, a, e.va, e.walk)}`
          : a.pc !== null && !b.mmu
            ? `in HYP, MMU off, at PA ${hex(a.pc)}`
            : b.pc !== null
              ? `in HYP, MMU off, at PA ${hex(b.pc)}`
              : 'in the kernel';
      text = [where, ...(fault ? [] : regText(ctx, b, a, e.type))].filter(Boolean).join('; ');
      if (as.matches('runtime') && !bs.matches('runtime')) text += `; back in the kernel, HYP up${a.online && !b.online ? ', CPU goes online' : ''}`;
      if (as.matches({ off: 'offline' }) && !bs.matches('off')) text += '; HYP is the stub again, the CPU dies';
      if (as.matches({ off: 'idle' }) && !bs.matches('off')) text += '; HYP is the stub again, the CPU enters deep idle';
    }
  }
  return { text: text + fault, cite: meta?.cite };
}

function kernelLine(ctx: TimelineContext, d: Delivery, after: AnyMachineSnapshot): { text: string; cite?: string } {
  const e = d.event as { type: string; online?: number[] };
  if (e.type === 'DONE') return { text: `${ctx.engine.actorId(d.from)} finished cpu_init_hyp_mode` };
  const ks = ctx.hyp.kernelSteps.find((s) => s.event === e.type);
  const writes = (ks?.writes ?? []).map((w: MemWrite) =>
    w.type === 'mem.map'
      ? `${pgdNames[w.pgd]}: map ${w.what} VA ${hex(w.va)} → PA ${hex(w.pa)}`
      : w.type === 'mem.unmap'
        ? `${pgdNames[w.pgd]}: unmap ${w.what} VA ${hex(w.va)}`
        : w.type === 'mem.free'
          ? `kfree(${pgdNames[w.pgd]})`
          : `${w.flag} = ${w.value}`,
  );
  if (ks?.ipi === 'each') writes.push(`IPI to ${(e.online ?? []).map((c) => `cpu${c}`).join(', ')} (cpu_online_mask), wait for all`);
  if (ks?.ipi === 'one') {
    const called = (after.context as { called: number[] }).called;
    writes.push(after.matches('wait-cpu') ? `IPI to cpu${called[called.length - 1]} (next in cpu_online_mask), wait for it` : 'for_each_online_cpu done');
  }
  return { text: writes.join('; ') || e.type, cite: ks?.cite };
}

/** Remember, per CPU, the step and pgd each TLB entry was filled from (for "STALE entry, cached at step N"). */
function trackProvenance(ctx: TimelineContext, id: string, step: number, bs: AnyMachineSnapshot, as: AnyMachineSnapshot): void {
  const b = bs.context as CpuContext;
  const a = as.context as CpuContext;
  const p = ctx.provenance.get(id) ?? new Map<number, Cached>();
  if (a.tlb.length === 0) p.clear();
  for (const [va, pa] of a.tlb) if (lookup(b.tlb, va) !== pa) p.set(va, { step, pgd: b.httbr ? pgdNames[b.httbr] : '?' });
  ctx.provenance.set(id, p);
}

/** One delivery in the kernel's words, by the role of the actor it went to. */
function narrate(ctx: TimelineContext, step: number, d: Delivery, bs: AnyMachineSnapshot, as: AnyMachineSnapshot): NarratedLine | undefined {
  const id = ctx.engine.actorId(d.to);
  switch (ctx.hyp.spec.actors[d.to]?.role) {
    case 'cpu': {
      const line = cpuLine(ctx, id, d, bs, as);
      trackProvenance(ctx, id, step, bs, as);
      return line;
    }
    case 'kernel':
      return kernelLine(ctx, d, as);
    case 'hotplug':
      return { text: d.event.type === 'DOWN' ? `cpu_down(cpu${d.event.cpu}): stop_machine, take_cpu_down` : `cpu_up(cpu${d.event.cpu})` };
    case 'cpupm':
      return { text: d.event.type === 'ENTER' ? `cpu${d.event.cpu} enters a deep idle state: cpu_pm_enter()` : `cpu${d.event.cpu} wakes up: cpu_pm_exit()` };
    case 'vm':
      return { text: `kvm_arch_init_vm: map ${id} struct into hyp_pgd`, cite: 'v3.10 arch/arm/kvm/arm.c kvm_arch_init_vm: create_hyp_mappings(kvm, kvm + 1)' };
    default:
      return undefined;
  }
}

/** The narrator of a HYP system: a fresh narration (its own TLB provenance) per trace. */
export function hypNarrator(hyp: HypSystem): Narrator {
  const layout = hyp.config.layout;
  return {
    start(engine: Checkable): Narration {
      const ctx: TimelineContext = {
        engine,
        hyp,
        profile: profiles[layout.profile],
        page: (pa: number) => pageAt(layout, pa),
        provenance: new Map<string, Map<number, Cached>>(),
      };
      return { line: (step, d, before, after) => narrate(ctx, step, d, before, after) };
    },
  };
}
