/** One step of a CPU's HYP code, and a named run of them: what the step lists are made of. */
import type { CpuContext } from './cpu-context';

/** The instructions a CPU step can stand for: the names its events carry. */
export type StepName =
  | 'SET_VECTORS'
  | 'HVC'
  | 'SET_PGD'
  | 'TLBI'
  | 'ENABLE_MMU'
  | 'DISABLE_MMU'
  | 'SET_STACK'
  | 'ERET'
  | 'LDR_TRAMPOLINE_VA'
  | 'BRANCH_MERGED'
  | 'JUMP_TRAMPOLINE'
  | 'SWITCH_PGD'
  | 'JUMP_IDMAP'
  | 'SET_STUB_VECTORS'
  | 'RET'
  | 'PKVM_INIT_FINALISE';

export interface InitStep {
  /** State name: the step the CPU executes next while in it. */
  readonly state: string;
  /** The event that performs the step. */
  readonly event: StepName;
  /** Which VA the step's instruction is fetched from (MMU on), or null (MMU off, or in the kernel). 'text': the runtime vectors. */
  readonly fetch: 'idmap' | 'tramp' | 'text' | null;
  /** Kernel file, function and the instruction(s). */
  readonly cite: string;
  /** What the step does to the CPU's registers once its fetch succeeded. */
  readonly effect: (c: CpuContext, addr: { idmapVa: number; initPa: number; trampolineVa: number }) => Partial<CpuContext>;
}

export interface InitPhase {
  /** Compound state name (the MODEL's off → boot-pgd → trampoline → runtime). */
  readonly name: string;
  readonly steps: readonly InitStep[];
}
