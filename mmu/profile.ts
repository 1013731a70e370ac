/**
 * Architecture profiles: the names a kernel engineer reads in the manual and in the kernel source.
 * ARMv7: arch/arm/kvm/init.S (v3.10); arm64: arch/arm64/kvm/hyp-init.S (v3.10).
 */
export type ProfileName = 'armv7' | 'arm64';

export interface Profile {
  readonly name: ProfileName;
  /** The register holding the HYP page table base. */
  readonly httbr: string;
  /** The HYP system control register whose M bit enables the HYP MMU. */
  readonly hsctlr: string;
  readonly hvbar: string;
  readonly hsp: string;
  /** Invalidate all of this CPU's HYP TLB entries. */
  readonly tlbi: string;
  readonly hvc: string;
  readonly eret: string;
  readonly pageSize: number;
  /** Where the init code lives, for citations. */
  readonly initFile: string;
}

export const profiles: Readonly<Record<ProfileName, Profile>> = {
  armv7: {
    name: 'armv7',
    httbr: 'HTTBR',
    hsctlr: 'HSCTLR',
    hvbar: 'HVBAR',
    hsp: 'SP_hyp',
    tlbi: 'TLBIALLH',
    hvc: 'HVC',
    eret: 'eret',
    pageSize: 4096,
    initFile: 'arch/arm/kvm/init.S',
  },
  arm64: {
    name: 'arm64',
    httbr: 'TTBR0_EL2',
    hsctlr: 'SCTLR_EL2',
    hvbar: 'VBAR_EL2',
    hsp: 'SP_EL2',
    tlbi: 'tlbi alle2',
    hvc: 'hvc',
    eret: 'eret',
    pageSize: 4096,
    initFile: 'arch/arm64/kvm/hyp-init.S',
  },
};
