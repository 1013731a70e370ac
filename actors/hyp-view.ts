/**
 * The HYP system's model view (actors/model-view.ts): each CPU's registers and TLB (an entry is stale when
 * a walk of the CPU's current pgd gives another PA), the page tables, which translation a step used, the
 * layout's named pages and the profile's register names: what the inspector page and the exports show.
 */
import type { BusEvent } from '../bus/spec';
import { pageAt } from '../invariants/hyp';
import type { CpuContext } from '../machines/cpu-context';
import { runtimePages } from '../mmu/layout';
import { pgdNames, type Memory, type PgdName } from '../mmu/memory';
import { hex, walk, type Pgd, type Va, type Walk } from '../mmu/pgd';
import { profiles } from '../mmu/profile';
import { lookup } from '../mmu/tlb';
import type { HypConfig, HypSystem } from './hyp-system';
import type { CpuView, Fetch, MemView, ModelView, PgdView, TlbView } from './model-view';

/** "trampoline on collide, 2 CPUs, hotplug K=1, 1 VM". */
function summaryOf(c: HypConfig): string {
  const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const fromBoot = c.hotplugFromBoot ? ' from boot' : '';
  return `${c.design.name} on ${c.layout.name}, ${plural(c.cpus, 'CPU')}, hotplug K=${c.hotplug}${fromBoot}, ${plural(c.vms, 'VM')}`;
}

/** Events no actor ever sends: CPU PM's with --cpu-pm 0, hotplug's with --hotplug 0. */
function unsentOf(c: HypConfig): ModelView['unsent'] {
  const events: string[] = [];
  const why: string[] = [];
  if (!c.cpuPm) {
    events.push('CPU_PM_ENTER', 'CPU_PM_EXIT');
    why.push('no CPU PM in this run (--cpu-pm 0)');
  }
  if (c.hotplug === 0) {
    events.push('CPU_DOWN', 'CPU_UP');
    why.push('no hotplug in this run (--hotplug 0)');
  }
  return { events: new Set(events), why: why.join(', ') };
}

function faultText(c: CpuContext, page: (pa: number) => string): CpuView['fault'] {
  const f = c.fault;
  if (!f) return null;
  const got = f.got !== undefined ? `, got PA ${hex(f.got)} (${page(f.got)})${f.fromTlb ? ' from the TLB' : ''}` : '';
  const through = f.pgd ? pgdNames[f.pgd] : 'no pgd';
  return { invariant: f.invariant, text: `${f.step} at VA ${hex(f.va)} through ${through}: expected ${f.expected.name} (PA ${hex(f.expected.pa)})${got}` };
}

/** The translation one delivery to a CPU made: speculative, a TLB hit (stale or not), or a walk. */
function fetchOf(c: CpuContext, type: string, va: Va, w: Walk): Fetch {
  if (type === 'SPECULATE') return { va, via: 'speculative', walk: w };
  const cached = lookup(c.tlb, va);
  if (cached === undefined) return { va, via: 'walk', walk: w };
  return { va, via: 'tlb', pa: cached, stale: w.kind !== 'mapped' || w.pa !== cached, walk: w };
}

export function hypView(hyp: HypSystem): ModelView {
  const layout = hyp.config.layout;
  const p = profiles[layout.profile];
  const page = (pa: number) => pageAt(layout, pa);
  const isCpu = hyp.spec.actors.map((a) => a.role === 'cpu');
  const cpuView = (context: unknown, memory: unknown): CpuView => {
    const c = context as CpuContext;
    const pgd: Pgd | undefined = c.httbr ? (memory as Memory)[c.httbr] : undefined;
    const tlb = c.tlb.map(([va, pa]): TlbView => {
      const wk = pgd ? walk(pgd, va) : undefined;
      const stale = wk !== undefined && (wk.kind !== 'mapped' || wk.pa !== pa);
      const walkText = !wk ? `no pgd in ${p.httbr}` : wk.kind === 'mapped' ? `PA ${hex(wk.pa)} (${page(wk.pa)})` : wk.kind;
      return { va: hex(va), pa: hex(pa), page: page(pa), walk: walkText, stale };
    });
    const httbr = c.httbr ? pgdNames[c.httbr] : null;
    const pc = c.pc === null ? null : hex(c.pc);
    return { kind: 'cpu', online: c.online, httbr, mmu: c.mmu, pc, hvbar: c.hvbar, hsp: c.hsp, via: c.via, tlb, fault: faultText(c, page) };
  };
  const memoryView = (memory: unknown): MemView => {
    const m = memory as Memory;
    // pkvm_pgtable exists only under the pkvm design: shown once something is mapped in it.
    const keys: PgdName[] = m.pkvm?.entries.length ? ['boot', 'hyp', 'pkvm'] : ['boot', 'hyp'];
    const pgds = keys.map(
      (k): PgdView => ({
        key: k,
        name: pgdNames[k],
        freed: m[k].freed,
        entries: m[k].entries.map(([va, pa]) => ({ va: hex(va), pa: hex(pa), page: page(pa) })),
      }),
    );
    return { pgds, flags: { notifier: m.notifier, kvmUp: m.kvmUp, ipiBusy: m.ipiBusy, hotplugLock: m.hotplugLock } };
  };
  return {
    summary: summaryOf(hyp.config),
    registers: { httbr: p.httbr, hsctlr: p.hsctlr, hvbar: p.hvbar, hsp: p.hsp, tlbi: p.tlbi },
    pages: [
      { name: 'init page (idmap)', va: hex(layout.idmapVa), pa: hex(layout.initPa) },
      { name: 'trampoline', va: hex(layout.trampolineVa), pa: hex(layout.initPa) },
      ...runtimePages(layout).map((r) => ({ name: r.name, va: hex(r.ref.va), pa: hex(r.ref.pa) })),
    ],
    unsent: unsentOf(hyp.config),
    draws: (actor) => isCpu[actor] === true,
    cpuView,
    memoryView,
    used(actor, payload, before) {
      const va = payload.va;
      if (typeof va !== 'number' || !isCpu[actor]) return undefined;
      const c = before as CpuContext;
      return { va: hex(va), via: lookup(c.tlb, va) !== undefined ? 'tlb' : 'walk', pgd: c.httbr };
    },
    fetch(actor, event: BusEvent, before) {
      const { va, walk: w } = event as { va?: Va; walk?: Walk };
      return isCpu[actor] && va !== undefined && w ? fetchOf(before as CpuContext, event.type, va, w) : null;
    },
  };
}
