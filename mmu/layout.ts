/**
 * Address layouts: where the init page, the trampoline and every runtime HYP page sit, as VA and PA.
 * On ARMv7 the HYP VA of kernel memory is its kernel VA (KERN_TO_HYP, arch/arm/include/asm/kvm_mmu.h,
 * v3.10) and the init page (__hyp_idmap_text) is identity-mapped: its idmap VA equals its PA.
 * Whether a runtime page collides with the idmap is whatever the numbers make it.
 */
import { InputError } from '../util/errors';
import { own } from '../util/own';
import { hex, type Pa, type Va } from './pgd';
import { profiles, type ProfileName } from './profile';

export interface PageRef {
  readonly va: Va;
  readonly pa: Pa;
}

export interface Layout {
  readonly name: string;
  readonly profile: ProfileName;
  readonly pageSize: number;
  /** PA of the init page (__hyp_idmap_text_start). */
  readonly initPa: Pa;
  /** VA of the init page in the idmap (= initPa on ARMv7). */
  readonly idmapVa: Va;
  /** TRAMPOLINE_VA (= CONFIG_VECTORS_BASE, 0xffff0000, on ARMv7). */
  readonly trampolineVa: Va;
  /** HYP text: world switch and runtime vectors (__kvm_hyp_code_start). */
  readonly text: PageRef;
  /** One HYP stack page per CPU (kvm_arm_hyp_stack_page). */
  readonly stacks: readonly PageRef[];
  /** One host context page per CPU (kvm_host_cpu_state). */
  readonly hostCtx: readonly PageRef[];
  /** One structure page per VM (struct kvm), mapped when the VM is created. */
  readonly vms: readonly PageRef[];
}

/** A linear 3G/1G (or 1G/3G) split: kernel VA = PA + offset. */
function linear(name: string, vaOffset: number, textPa: Pa, cpus: number, vms: number): Layout {
  const page = (pa: Pa): PageRef => ({ va: (pa + vaOffset) >>> 0, pa });
  const range = (base: Pa, n: number) => Array.from({ length: n }, (_, i) => page(base + i * 0x1000));
  return {
    name,
    profile: 'armv7',
    pageSize: 4096,
    initPa: 0x80208000,
    idmapVa: 0x80208000,
    trampolineVa: 0xffff0000,
    text: page(textPa),
    stacks: range(0x81000000 + (vaOffset < 0 ? 0x40000000 : 0), cpus),
    hostCtx: range(0x81100000 + (vaOffset < 0 ? 0x40000000 : 0), cpus),
    vms: range(0x82000000 + (vaOffset < 0 ? 0x40000000 : 0), vms),
  };
}

/** 3G/1G split, PAGE_OFFSET 0xC0000000: the idmap VA is below PAGE_OFFSET, nothing can collide. */
export function disjointLayout(cpus: number, vms: number): Layout {
  return linear('disjoint', 0x40000000, 0x80008000, cpus, vms);
}

/** PA of the page that collides on the 1G/3G split: its kernel (= HYP) VA is the idmap VA 0x80208000. */
export const collidingPa = 0xc0208000;

/**
 * 1G/3G split, PAGE_OFFSET 0x40000000, RAM at PA 0x80000000: the idmap VA 0x80208000 is also the kernel
 * (= HYP) VA of PA 0xC0208000, the seed's "colliding translations". The HYP text lies in the kernel image
 * beside the init page (PA 0x80008000), so it cannot be there; cpu0's HYP stack page can: init_hyp_mode
 * takes it with __get_free_page(GFP_KERNEL) (v3.9, v3.10 arch/arm/kvm/arm.c), anywhere in lowmem.
 */
export function collideLayout(cpus: number, vms: number): Layout {
  const l = linear('collide', -0x40000000, 0x80008000, cpus, vms);
  return { ...l, stacks: l.stacks.map((p, i) => (i === 0 ? { va: (collidingPa - 0x40000000) >>> 0, pa: collidingPa } : p)) };
}

/** The layout before issue 13: the HYP text at PA 0xC0208000, which no kernel image puts there (kept to compare). */
export function collideTextLayout(cpus: number, vms: number): Layout {
  return linear('collide-text', -0x40000000, collidingPa, cpus, vms);
}

/**
 * arm64, VA_BITS = 39, RAM from PHYS_OFFSET 0x80000000. The kernel's linear map starts at PAGE_OFFSET
 * (the top half of the kernel VA space); HYP reaches it through kern_hyp_va, a mask:
 * 'high' (HYP_PAGE_OFFSET_MASK, v3.11–v4.7) gives HYP VA = (2^38 + PA − PHYS_OFFSET) mod 2^39;
 * 'low' (HYP_PAGE_OFFSET_LOW_MASK, v4.8 when the idmap sits in the top half) gives (PA − PHYS_OFFSET) mod 2^38.
 * TRAMPOLINE_VA is the last page of the HYP VA space. The idmap VA is the init page's PA.
 */
const VA_BITS = 39;
const PHYS_OFFSET = 0x80000000;

function arm64(name: string, image: number, vm0: number, mask: 'high' | 'auto', cpus: number, vms: number): Layout {
  const initPa = image + 0x188000;
  const top = Math.floor(initPa / 2 ** (VA_BITS - 1)) % 2 === 1;
  const low = mask === 'auto' && top; // v4.8 hyp_offset_low: idmap in the top half → use the bottom half
  const hypVa = (pa: number) => (low ? (pa - PHYS_OFFSET) % 2 ** (VA_BITS - 1) : (2 ** (VA_BITS - 1) + pa - PHYS_OFFSET) % 2 ** VA_BITS);
  const page = (pa: number): PageRef => ({ va: hypVa(pa), pa });
  const range = (base: number, n: number) => Array.from({ length: n }, (_, i) => page(base + i * 0x1000));
  return {
    name,
    profile: 'arm64',
    pageSize: 4096,
    initPa,
    idmapVa: initPa,
    trampolineVa: (low ? 2 ** (VA_BITS - 1) : 2 ** VA_BITS) - 0x1000,
    text: page(image + 0x10000),
    stacks: range(0x81000000, cpus),
    hostCtx: range(0x81100000, cpus),
    vms: range(vm0, vms),
  };
}

/** arm64, kernel image low in RAM (PA 0x80080000): the idmap is in the bottom half, HYP VAs in the top. */
export function arm64Layout(cpus: number, vms: number, mask: 'high' | 'auto' = 'high'): Layout {
  return arm64('arm64', 0x80080000, 0x82000000, mask, cpus, vms);
}

/**
 * arm64 with RAM above 256 GB and the kernel image loaded there (PA 0x4080080000): the idmap is in the top
 * half, where the 'high' mask puts every HYP VA. vm0's struct kvm sits at PA 0x100208000, whose HYP VA
 * under the 'high' mask is the idmap VA 0x4080208000; under v4.8's 'low' mask nothing can collide.
 */
export function arm64HighmemLayout(cpus: number, vms: number, mask: 'high' | 'auto' = 'high'): Layout {
  return arm64('arm64-highmem', 0x4080080000, 0x100208000, mask, cpus, vms);
}

export interface LayoutPreset {
  description: string;
  make: (cpus: number, vms: number, mask?: 'high' | 'auto') => Layout;
}

export const layoutPresets: Readonly<Record<string, LayoutPreset>> = {
  disjoint: { description: 'ARMv7 3G/1G split: idmap VA below PAGE_OFFSET, no runtime VA can equal it', make: disjointLayout },
  collide: {
    description: "ARMv7 1G/3G split: the idmap VA 0x80208000 is also the HYP VA of cpu0's HYP stack page (PA 0xc0208000, high lowmem)",
    make: collideLayout,
  },
  'collide-text': {
    description: 'ARMv7 1G/3G split with the HYP text at PA 0xc0208000 (not where a kernel image puts it): the pre-issue-13 collision',
    make: collideTextLayout,
  },
  arm64: { description: 'arm64 VA_BITS=39, kernel low in RAM: idmap in the bottom half, HYP VAs in the top: no collision', make: arm64Layout },
  'arm64-highmem': {
    description: 'arm64 VA_BITS=39, kernel above 256 GB: with kern_hyp_va "high" vm0\'s HYP VA is the idmap VA; "auto" (v4.8) avoids it',
    make: arm64HighmemLayout,
  },
};

type Json = unknown;

function field(o: Record<string, Json>, path: string, name: string): Json {
  if (!Object.hasOwn(o, name)) throw new InputError(`layout: missing field ${path}${name}`);
  return o[name];
}

/** What an address in a layout file must satisfy: page alignment and the profile's address width. */
interface Space {
  readonly pageSize: number;
  readonly bits: number;
}

function address(v: Json, where: string, space: Space): number {
  const { pageSize, bits } = space;
  let n: number;
  if (typeof v === 'number' && Number.isInteger(v)) n = v;
  else if (typeof v === 'string' && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(v)) n = Number(v);
  else throw new InputError(`layout: ${where} must be an address (number or "0x..." string), got ${JSON.stringify(v)}`);
  if (n < 0 || n >= 2 ** bits) throw new InputError(`layout: ${where} = ${JSON.stringify(v)} is outside the ${bits}-bit address space`);
  if (n % pageSize !== 0) throw new InputError(`layout: ${where} = ${hex(n)} is not page aligned (page size ${pageSize})`);
  return n;
}

function pageRef(v: Json, where: string, space: Space): PageRef {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InputError(`layout: ${where} must be an object {"va", "pa"}`);
  const o = v as Record<string, Json>;
  for (const k of Object.keys(o)) if (k !== 'va' && k !== 'pa') throw new InputError(`layout: unknown field ${where}.${k}`);
  return { va: address(field(o, `${where}.`, 'va'), `${where}.va`, space), pa: address(field(o, `${where}.`, 'pa'), `${where}.pa`, space) };
}

/** A per-CPU or per-VM page list: an explicit array, or {"va","pa","stride"} for page i at base + i*stride. */
function pageList(v: Json, where: string, count: number, space: Space): PageRef[] {
  if (Array.isArray(v)) {
    if (v.length < count) throw new InputError(`layout: ${where} lists ${v.length} pages but ${count} are needed`);
    return v.slice(0, count).map((p, i) => pageRef(p, `${where}[${i}]`, space));
  }
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, Json>;
    for (const k of Object.keys(o)) if (!['va', 'pa', 'stride'].includes(k)) throw new InputError(`layout: unknown field ${where}.${k}`);
    const base = pageRef({ va: o.va, pa: o.pa }, where, space);
    const stride = o.stride === undefined ? space.pageSize : address(o.stride, `${where}.stride`, space);
    if (stride === 0) throw new InputError(`layout: ${where}.stride must not be 0`);
    return Array.from({ length: count }, (_, i) => ({
      va: address(base.va + i * stride, `${where}[${i}].va`, space),
      pa: address(base.pa + i * stride, `${where}[${i}].pa`, space),
    }));
  }
  throw new InputError(`layout: ${where} must be an array of {"va","pa"} or {"va","pa","stride"}`);
}

const layoutFields = ['name', 'profile', 'pageSize', 'initPa', 'idmapVa', 'trampolineVa', 'text', 'stacks', 'hostCtx', 'vms'];

/** Parse and check a user layout (already JSON-decoded) for `cpus` CPUs and `vms` VMs. */
export function parseLayout(json: Json, cpus: number, vms: number, fallbackName = 'custom'): Layout {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new InputError('layout: the file must hold a JSON object');
  const o = json as Record<string, Json>;
  for (const k of Object.keys(o)) if (!layoutFields.includes(k)) throw new InputError(`layout: unknown field ${k} (known: ${layoutFields.join(', ')})`);
  const profile = (o.profile ?? 'armv7') as ProfileName;
  if (typeof profile !== 'string' || !own(profiles, profile))
    throw new InputError(`layout: profile must be "armv7" or "arm64", got ${JSON.stringify(o.profile)}`);
  const pageSize = o.pageSize ?? profiles[profile].pageSize;
  // ARMv7 HYP VAs are 32-bit (and so are the PAs modelled); arm64 HYP VAs and PAs stay below 2^48.
  const space: Space = { pageSize: pageSize as number, bits: profile === 'arm64' ? 48 : 32 };
  if (pageSize !== 4096 && pageSize !== 16384 && pageSize !== 65536)
    throw new InputError(`layout: pageSize must be 4096, 16384 or 65536, got ${JSON.stringify(o.pageSize)}`);
  const name = o.name === undefined ? fallbackName : o.name;
  if (typeof name !== 'string' || name === '') throw new InputError('layout: name must be a non-empty string');
  const initPa = address(field(o, '', 'initPa'), 'initPa', space);
  const layout: Layout = {
    name,
    profile,
    pageSize: pageSize as number,
    initPa,
    idmapVa: o.idmapVa === undefined ? initPa : address(o.idmapVa, 'idmapVa', space),
    trampolineVa: address(field(o, '', 'trampolineVa'), 'trampolineVa', space),
    text: pageRef(field(o, '', 'text'), 'text', space),
    stacks: pageList(field(o, '', 'stacks'), 'stacks', cpus, space),
    hostCtx: pageList(field(o, '', 'hostCtx'), 'hostCtx', cpus, space),
    vms: vms > 0 ? pageList(field(o, '', 'vms'), 'vms', vms, space) : [],
  };
  checkLayout(layout);
  return layout;
}

/** Every runtime page with a name, for checks, display and the inspector. */
export function runtimePages(l: Layout): { name: string; ref: PageRef; cpu?: number; vm?: number }[] {
  return [
    { name: 'HYP text', ref: l.text },
    ...l.stacks.map((ref, cpu) => ({ name: `stack cpu${cpu}`, ref, cpu })),
    ...l.hostCtx.map((ref, cpu) => ({ name: `host ctx cpu${cpu}`, ref, cpu })),
    ...l.vms.map((ref, vm) => ({ name: `vm${vm} struct`, ref, vm })),
  ];
}

/** Semantic checks: what no kernel could build. A collision with the idmap VA is allowed: it is the point. */
export function checkLayout(l: Layout): void {
  const pages = runtimePages(l);
  for (const p of pages) {
    if (p.ref.va === l.trampolineVa)
      throw new InputError(`layout: ${p.name} VA ${hex(p.ref.va)} is the trampoline VA: the trampoline must not be a kernel mapping`);
    if (p.ref.pa === l.initPa) throw new InputError(`layout: ${p.name} PA ${hex(p.ref.pa)} is the init page's PA`);
  }
  const seenVa = new Map<number, string>();
  const seenPa = new Map<number, string>();
  for (const p of pages) {
    const v = seenVa.get(p.ref.va);
    if (v) throw new InputError(`layout: ${p.name} and ${v} share the VA ${hex(p.ref.va)}`);
    seenVa.set(p.ref.va, p.name);
    const q = seenPa.get(p.ref.pa);
    if (q) throw new InputError(`layout: ${p.name} and ${q} share the PA ${hex(p.ref.pa)}`);
    seenPa.set(p.ref.pa, p.name);
  }
  if (l.trampolineVa === l.idmapVa) throw new InputError(`layout: the trampoline VA ${hex(l.trampolineVa)} equals the idmap VA`);
}

/** Reads and parses a JSON file; front ends pass theirs (api/input-file.ts), the model never touches files. */
export type JsonLoader = (path: string, what: string) => unknown;

/** Resolve a layout given by preset name or file path (read by `load`); `mask` is the design's arm64 kern_hyp_va. */
export function resolveLayout(nameOrFile: string, cpus: number, vms: number, mask: 'high' | 'auto' = 'high', load?: JsonLoader): Layout {
  const preset = own(layoutPresets, nameOrFile);
  if (preset) return preset.make(cpus, vms, mask);
  if (!/[./]/.test(nameOrFile) || !load)
    throw new InputError(`unknown layout "${nameOrFile}" (presets: ${Object.keys(layoutPresets).join(', ')}, or a JSON file)`);
  return parseLayout(load(nameOrFile, 'layout file') as Json, cpus, vms, nameOrFile);
}
