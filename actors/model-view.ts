/**
 * A report-only interface: what the inspector page and the trace exports ask of a model beyond narration
 * (actors/system.ts `Narrator`). It is the front ends' contract, declared here, below them, so that the
 * model can implement it (actors/hyp-view.ts) without importing a front end. A system without one (your
 * own machines) is shown generically: contexts as text, no page tables, no translations.
 */
import type { BusEvent } from '../bus/spec';
import type { Pa, Va, Walk } from '../mmu/pgd';

/** A TLB entry as the page shows it. */
export interface TlbView {
  readonly va: string;
  readonly pa: string;
  readonly page: string;
  /** What a walk of the CPU's current pgd gives for this VA: 'PA 0x… (page)', 'unmapped', 'freed'. */
  readonly walk: string;
  readonly stale: boolean;
}

/** A CPU's registers, TLB and fault as the page shows them. */
export interface CpuView {
  readonly kind: 'cpu';
  readonly online: boolean;
  readonly httbr: string | null;
  readonly mmu: boolean;
  readonly pc: string | null;
  readonly hvbar: string;
  readonly hsp: string;
  readonly via: string | null;
  readonly tlb: readonly TlbView[];
  readonly fault: null | { readonly invariant: string; readonly text: string };
}

export interface PgdView {
  readonly key: string;
  readonly name: string;
  readonly freed: boolean;
  readonly entries: readonly { readonly va: string; readonly pa: string; readonly page: string }[];
}

/** Shared memory as the page shows it: page tables and flags. */
export interface MemView {
  readonly pgds: readonly PgdView[];
  readonly flags: Readonly<Record<string, boolean>>;
}

/** The translation a self-step used, for the page's highlight: through the CPU's TLB or a walk of a pgd. */
export interface Used {
  readonly cpu: string;
  readonly va: string;
  readonly via: 'tlb' | 'walk';
  readonly pgd: string | null;
}

/** One translation: `pa` is the address the CPU got; `walk` what the page tables gave at that moment. */
export type Fetch =
  | { readonly va: Va; readonly via: 'tlb'; readonly pa: Pa; readonly stale: boolean; readonly walk: Walk }
  | { readonly va: Va; readonly via: 'walk'; readonly walk: Walk }
  | { readonly va: Va; readonly via: 'speculative'; readonly walk: Walk };

/** The names the page labels registers with (HTTBR or TTBR0_EL2, ...). */
export interface RegisterNames {
  readonly httbr: string;
  readonly hsctlr: string;
  readonly hvbar: string;
  readonly hsp: string;
  readonly tlbi: string;
}

export interface ModelView {
  /** The system in a line: "trampoline on collide, 2 CPUs, hotplug K=1, 1 VM". */
  readonly summary: string;
  readonly registers: RegisterNames;
  /** The named pages of the address layout (init page, trampoline, stacks, ...). */
  readonly pages: readonly { readonly name: string; readonly va: string; readonly pa: string }[];
  /** Events no actor of this system ever sends (so charts need not draw where they lead), and why. */
  readonly unsent: { readonly events: ReadonlySet<string>; readonly why: string };
  /** Whether the model draws actor `actor` itself (cpuView); its view then depends on shared memory too. */
  draws(actor: number): boolean;
  cpuView(context: unknown, memory: unknown): CpuView;
  memoryView(memory: unknown): MemView;
  /** The translation a self-step to `actor` with this payload used, given the actor's context before it. */
  used(actor: number, payload: Readonly<Record<string, unknown>>, before: unknown): Omit<Used, 'cpu'> | undefined;
  /** The translation delivery `event` to `actor` made, given the actor's context before it; null: none. */
  fetch(actor: number, event: BusEvent, before: unknown): Fetch | null;
}
