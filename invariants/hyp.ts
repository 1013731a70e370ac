/**
 * The invariants of MODEL.md as pure functions over the whole-system state (stable ids). The CPU
 * statechart records what an access got against what its step expected; these read it.
 */
import type { AnyMachineSnapshot } from 'xstate';
import type { Invariant, WorldView } from '../bus/spec';
import type { CpuContext, FaultKind } from '../machines/cpu-context';
import { runtimePages, type Layout } from '../mmu/layout';
import { pgdNames, type Memory, type PgdName } from '../mmu/memory';
import { hex } from '../mmu/pgd';

export const invariantDocs: Readonly<Record<string, string>> = {
  'translation-fault': 'no access in HYP hits an unmapped VA',
  'wrong-translation': 'every access gets the PA its step expects; a stale TLB entry giving another PA breaks it',
  'use-after-free': 'no CPU walks a page table that is gone (after free_boot_hyp_pgd: HTTBR = virt_to_phys(NULL), not a page table)',
  'runtime-state': 'a CPU in runtime has HTTBR = runtime pgd, its own stack, the runtime vectors',
  'init-completes': 'every online CPU reaches runtime (checked at quiescence: every maximal run ends in one)',
  'hyp-up-while-vm': 'v4.7+ (KVM core owns HYP): while a VM exists, every online CPU has HYP up (checked at quiescence)',
};

/** Name of whatever page sits at a PA, for messages. */
export function pageAt(layout: Layout, pa: number): string {
  if (pa === layout.initPa) return 'init page';
  const p = runtimePages(layout).find((r) => r.ref.pa === pa);
  return p ? p.name : 'unknown page';
}

/**
 * What the kernel walks once free_boot_hyp_pgd ran (v3.10 arch/arm/kvm/mmu.c: kfree(boot_hyp_pgd);
 * boot_hyp_pgd = NULL): every later HTTBR load is kvm_mmu_get_boot_httbr() = virt_to_phys(NULL), not the
 * freed page. On a linear ARMv7 layout that is PHYS_OFFSET - PAGE_OFFSET, computed from the HYP text.
 */
function nullWalk(layout: Layout, pgd: string): string {
  const where = layout.profile === 'armv7' ? `PA ${hex((layout.text.pa - layout.text.va) >>> 0)}` : 'that PA';
  const loaded = `HTTBR was loaded with kvm_mmu_get_boot_httbr() = virt_to_phys(NULL) after free_boot_hyp_pgd() freed ${pgd} and set it to NULL`;
  return `${loaded}; the walk reads ${where}, which is not a page table`;
}

function cpuName(view: WorldView<Memory>, a: number): string {
  return view.actors[a].id;
}

function faultCheck(id: FaultKind, layout: Layout): Invariant<Memory> {
  return {
    id,
    description: invariantDocs[id],
    kind: 'safety',
    checkActor(a, snap, view) {
      if (view.actors[a].role !== 'cpu' || !snap.matches('fault')) return null;
      const f = (snap.context as CpuContext).fault;
      if (!f || f.invariant !== id) return null;
      const who = `${cpuName(view, a)} ${f.step} at VA ${hex(f.va)}`;
      const pgd = f.pgd ? pgdNames[f.pgd] : 'no pgd';
      const gone = f.va === layout.idmapVa ? ' (the idmap VA)' : '';
      if (id === 'translation-fault') return `${who}: ${pgd} does not map it${gone} (expected ${f.expected.name}, PA ${hex(f.expected.pa)})`;
      if (id === 'use-after-free') return `${who}: ${nullWalk(layout, pgd)}`;
      const got = f.got === undefined ? 'no PA' : `PA ${hex(f.got)} (${pageAt(layout, f.got)})`;
      return `${who} got ${got}${f.fromTlb ? ' from a stale TLB entry' : ''}; expected ${f.expected.name} at ` + `PA ${hex(f.expected.pa)}`;
    },
  };
}

/** `runtimePgd`: the pgd a CPU in runtime must run on (hyp_pgd; pkvm_pgtable under pKVM). */
/** The liveness property of a design's era: v3.x every online CPU reaches runtime; v4.7+ only while a VM exists. */
export type Liveness = 'init-completes' | 'hyp-up-while-vm';

export function hypInvariants(layout: Layout, runtimePgd: PgdName = 'hyp', liveness: Liveness = 'init-completes'): Invariant<Memory>[] {
  return [
    faultCheck('translation-fault', layout),
    faultCheck('wrong-translation', layout),
    faultCheck('use-after-free', layout),
    {
      id: 'runtime-state',
      description: invariantDocs['runtime-state'],
      kind: 'safety',
      checkActor(a, snap: AnyMachineSnapshot, view) {
        if (view.actors[a].role !== 'cpu' || !snap.matches('runtime')) return null;
        const c = snap.context as CpuContext;
        const bad: string[] = [];
        if (c.httbr !== runtimePgd) bad.push(`HTTBR = ${c.httbr ? pgdNames[c.httbr] : 'unset'}`);
        if (c.hsp !== 'stack') bad.push('no HYP stack');
        if (c.hvbar !== 'runtime') bad.push(`vectors = ${c.hvbar}`);
        return bad.length ? `${cpuName(view, a)} is in runtime with ${bad.join(', ')}` : null;
      },
    },
    {
      id: liveness,
      description: invariantDocs[liveness],
      kind: 'quiescent',
      check(view) {
        // v4.7+: with no VM, CPUs rightly sit on the stub.
        if (liveness === 'hyp-up-while-vm' && !view.global.vmExists) return null;
        const stuck: string[] = [];
        view.actors.forEach((d, a) => {
          if (d.role !== 'cpu') return;
          const s = view.snapshot(a);
          const c = s.context as CpuContext;
          if (c.online && !s.matches('runtime')) stuck.push(`${d.id} (${stateName(s)})`);
        });
        const what = liveness === 'init-completes' ? 'online but never reached runtime' : 'a VM exists but HYP is not up on online';
        return stuck.length ? `${what}: ${stuck.join(', ')}` : null;
      },
    },
  ];
}

export function stateName(s: AnyMachineSnapshot): string {
  const walk = (v: unknown): string =>
    typeof v === 'string'
      ? v
      : Object.entries(v as Record<string, unknown>)
          .map(([k, x]) => `${k}.${walk(x)}`)
          .join(',');
  return walk(s.value);
}
