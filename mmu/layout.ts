/**
 * Address layouts: where the init page, the trampoline and every runtime HYP page sit, as VA and PA.
 * On ARMv7 the HYP VA of kernel memory is its kernel VA (KERN_TO_HYP, arch/arm/include/asm/kvm_mmu.h,
 * v3.10) and the init page (__hyp_idmap_text) is identity-mapped: its idmap VA equals its PA.
 * Whether a runtime page collides with the idmap is whatever the numbers make it.
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../util/errors';
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

/**
 * 1G/3G split, PAGE_OFFSET 0x40000000, RAM at PA 0x80000000: the idmap VA 0x80208000 is also the
 * kernel (= HYP) VA of PA 0xC0208000, where the HYP text sits: the seed's "colliding translations".
 */
export function collideLayout(cpus: number, vms: number): Layout {
  return linear('collide', -0x40000000, 0xc0208000, cpus, vms);
}

export const layoutPresets: Readonly<Record<string, { description: string; make: (cpus: number, vms: number) => Layout }>> = {
  disjoint: { description: '3G/1G split: idmap VA below PAGE_OFFSET, no runtime VA can equal it', make: disjointLayout },
  collide: { description: '1G/3G split: the idmap VA 0x80208000 is also the HYP VA of the HYP text', make: collideLayout },
};

type Json = unknown;

function field(o: Record<string, Json>, path: string, name: string): Json {
  if (!(name in o)) throw new InputError(`layout: missing field ${path}${name}`);
  return o[name];
}

function address(v: Json, where: string, pageSize: number): number {
  let n: number;
  if (typeof v === 'number' && Number.isInteger(v)) n = v;
  else if (typeof v === 'string' && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(v)) n = Number(v);
  else throw new InputError(`layout: ${where} must be an address (number or "0x..." string), got ${JSON.stringify(v)}`);
  if (n < 0 || n > 0xffffffff) throw new InputError(`layout: ${where} = ${JSON.stringify(v)} is outside the 32-bit address space`);
  if (n % pageSize !== 0) throw new InputError(`layout: ${where} = ${hex(n)} is not page aligned (page size ${pageSize})`);
  return n >>> 0;
}

function pageRef(v: Json, where: string, pageSize: number): PageRef {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InputError(`layout: ${where} must be an object {"va", "pa"}`);
  const o = v as Record<string, Json>;
  for (const k of Object.keys(o)) if (k !== 'va' && k !== 'pa') throw new InputError(`layout: unknown field ${where}.${k}`);
  return { va: address(field(o, where + '.', 'va'), where + '.va', pageSize), pa: address(field(o, where + '.', 'pa'), where + '.pa', pageSize) };
}

/** A per-CPU or per-VM page list: an explicit array, or {"va","pa","stride"} for page i at base + i*stride. */
function pageList(v: Json, where: string, count: number, pageSize: number): PageRef[] {
  if (Array.isArray(v)) {
    if (v.length < count) throw new InputError(`layout: ${where} lists ${v.length} pages but ${count} are needed`);
    return v.slice(0, count).map((p, i) => pageRef(p, `${where}[${i}]`, pageSize));
  }
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, Json>;
    for (const k of Object.keys(o)) if (!['va', 'pa', 'stride'].includes(k)) throw new InputError(`layout: unknown field ${where}.${k}`);
    const base = pageRef({ va: o.va, pa: o.pa }, where, pageSize);
    const stride = o.stride === undefined ? pageSize : address(o.stride, where + '.stride', pageSize);
    if (stride === 0) throw new InputError(`layout: ${where}.stride must not be 0`);
    return Array.from({ length: count }, (_, i) => ({ va: (base.va + i * stride) >>> 0, pa: (base.pa + i * stride) >>> 0 }));
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
  if (!(profile in profiles)) throw new InputError(`layout: profile must be "armv7" or "arm64", got ${JSON.stringify(o.profile)}`);
  const pageSize = o.pageSize ?? profiles[profile].pageSize;
  if (pageSize !== 4096 && pageSize !== 16384 && pageSize !== 65536) throw new InputError(`layout: pageSize must be 4096, 16384 or 65536, got ${JSON.stringify(o.pageSize)}`);
  const name = o.name === undefined ? fallbackName : o.name;
  if (typeof name !== 'string' || name === '') throw new InputError('layout: name must be a non-empty string');
  const initPa = address(field(o, '', 'initPa'), 'initPa', pageSize);
  const layout: Layout = {
    name,
    profile,
    pageSize,
    initPa,
    idmapVa: o.idmapVa === undefined ? initPa : address(o.idmapVa, 'idmapVa', pageSize),
    trampolineVa: address(field(o, '', 'trampolineVa'), 'trampolineVa', pageSize),
    text: pageRef(field(o, '', 'text'), 'text', pageSize),
    stacks: pageList(field(o, '', 'stacks'), 'stacks', cpus, pageSize),
    hostCtx: pageList(field(o, '', 'hostCtx'), 'hostCtx', cpus, pageSize),
    vms: vms > 0 ? pageList(field(o, '', 'vms'), 'vms', vms, pageSize) : [],
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

/** Resolve a layout given by preset name or file path. */
export function resolveLayout(nameOrFile: string, cpus: number, vms: number): Layout {
  const preset = layoutPresets[nameOrFile];
  if (preset) return preset.make(cpus, vms);
  if (!/[./]/.test(nameOrFile)) throw new InputError(`unknown layout "${nameOrFile}" (presets: ${Object.keys(layoutPresets).join(', ')}, or a JSON file)`);
  let text: string;
  try {
    text = readFileSync(nameOrFile, 'utf8');
  } catch {
    throw new InputError(`layout file ${nameOrFile} cannot be read`);
  }
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`layout file ${nameOrFile} is not valid JSON: ${(e as Error).message}`);
  }
  return parseLayout(json, cpus, vms, nameOrFile);
}
