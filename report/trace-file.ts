/**
 * Trace files: a counterexample with the full system it was found on (design knobs, layout addresses,
 * bounds), so `hypsim replay FILE` needs nothing else. Reading checks the shape strictly (no unknown or
 * missing field) and that every name agrees with what it names: a design named after a preset has that
 * preset's knobs, a layout named after a preset its addresses. Replaying it is explore/replay.ts's job.
 */
import { verifyTrace, type ReplayResult } from '../api/explore';
import { readInputJson } from '../api/input-file';
import { writeFileAtomic } from '../api/output-file';
import { requireRecipe } from '../api/recipe';
import { system, type System } from '../api/system';
import { checkBounds } from '../actors/hyp-system';
import type { TraceEntry } from '../bus/trace';
import { findDesign, knobs, parseDesign, type Design } from '../design/design';
import { knobDifference } from '../design/same';
import { layoutPresets, parseLayout, type Layout } from '../mmu/layout';
import { layoutDifference } from '../mmu/layout-same';
import { own } from '../util/own';
import { TraceError } from '../util/errors';

export const TRACE_FORMAT = 'hypsim-trace/1';

export interface TraceFile {
  format: typeof TRACE_FORMAT;
  system: {
    design: Design;
    layout: Layout;
    cpus: number;
    hotplug: number;
    vms: number;
    hotplugFromBoot: boolean;
    tlbScope: 'volatile' | 'all';
    cpuPm: number;
  };
  violation: { invariant: string; message: string } | null;
  trace: TraceEntry[];
  /** For a lasso: the steps from `loop` on repeat forever. */
  loop?: number;
}

export function traceFileFor(sys: System, violation: TraceFile['violation'], trace: TraceEntry[], loop?: number): TraceFile {
  const c = requireRecipe(sys, 'a trace file (keep the trace array instead)');
  return {
    format: TRACE_FORMAT,
    system: {
      design: c.design,
      layout: c.layout,
      cpus: c.cpus,
      hotplug: c.hotplug,
      vms: c.vms,
      hotplugFromBoot: c.hotplugFromBoot,
      tlbScope: c.tlbScope,
      cpuPm: c.cpuPm ?? 0,
    },
    violation,
    trace,
    ...(loop !== undefined ? { loop } : {}),
  };
}

export function writeTraceFile(path: string, file: TraceFile): void {
  writeFileAtomic(path, `${JSON.stringify(file, null, 1)}\n`, 'trace file');
}

function fail(path: string, why: string): never {
  throw new TraceError(`trace file ${path}: ${why}`);
}

function onlyKeys(path: string, o: object, where: string, allowed: readonly string[]): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) fail(path, `unknown field ${where}${k} (known: ${allowed.join(', ')})`);
}

const entryKeys = ['step', 'from', 'to', 'event', 'payload'];

function checkEntry(path: string, e: unknown, i: number): TraceEntry {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) fail(path, `trace[${i}] is not an object`);
  const o = e as Record<string, unknown>;
  onlyKeys(path, o, `trace[${i}].`, entryKeys);
  if (!Number.isSafeInteger(o.step) || (o.step as number) < 1) fail(path, `trace[${i}].step must be a positive integer`);
  for (const k of ['from', 'to', 'event'] as const) if (typeof o[k] !== 'string' || o[k] === '') fail(path, `trace[${i}].${k} must be a non-empty string`);
  if (typeof o.payload !== 'object' || o.payload === null || Array.isArray(o.payload)) fail(path, `trace[${i}].payload must be an object`);
  return { step: o.step as number, from: o.from as string, to: o.to as string, event: o.event as string, payload: o.payload as Record<string, unknown> };
}

const designMeta = ['name', 'description', 'kernel', 'defaultLayout'];

/** The recorded design: every knob present, nothing unknown, and a preset's name only on that preset's knobs. */
function checkDesign(path: string, d: unknown): Design {
  if (typeof d !== 'object' || d === null || Array.isArray(d)) fail(path, 'system.design must be an object of knobs');
  const o = d as Record<string, unknown>;
  onlyKeys(path, o, 'system.design.', [...designMeta, ...knobs]);
  for (const k of knobs) if (!Object.hasOwn(o, k)) fail(path, `system.design lacks the knob ${k}`);
  if (typeof o.name !== 'string' || o.name === '') fail(path, 'system.design.name must be a non-empty string');
  let design: Design;
  try {
    design = parseDesign(o, o.name);
  } catch (e) {
    fail(path, (e as Error).message);
  }
  const preset = findDesign(design.name);
  const diff = preset && knobDifference(preset, design);
  if (diff) fail(path, `system.design is named "${design.name}" but its knobs are not that design's (${diff})`);
  return design;
}

function checkLayout(path: string, l: unknown, cpus: number, vms: number, design: Design): Layout {
  let layout: Layout;
  try {
    layout = parseLayout(l, cpus, vms);
  } catch (e) {
    fail(path, (e as Error).message);
  }
  const preset = own(layoutPresets, layout.name);
  const diff = preset && layoutDifference(preset.make(cpus, vms, design.hypVaMask), layout);
  if (diff) fail(path, `system.layout is named "${layout.name}" but its addresses are not that layout's (${diff})`);
  return layout;
}

const topKeys = ['format', 'system', 'violation', 'trace', 'loop'];
const systemKeys = ['design', 'layout', 'cpus', 'hotplug', 'vms', 'hotplugFromBoot', 'tlbScope', 'cpuPm'];

function checkSystem(path: string, s: unknown): { sys: System; system: TraceFile['system'] } {
  if (typeof s !== 'object' || s === null || Array.isArray(s)) fail(path, 'missing "system"');
  const o = s as Record<string, unknown>;
  onlyKeys(path, o, 'system.', systemKeys);
  for (const k of ['cpus', 'hotplug', 'vms'] as const) if (!Number.isSafeInteger(o[k])) fail(path, `system.${k} must be an integer`);
  if (typeof o.hotplugFromBoot !== 'boolean') fail(path, 'system.hotplugFromBoot must be true or false');
  if (o.tlbScope !== 'volatile' && o.tlbScope !== 'all') fail(path, 'system.tlbScope must be "volatile" or "all"');
  if (o.cpuPm !== undefined && !Number.isSafeInteger(o.cpuPm)) fail(path, 'system.cpuPm must be an integer');
  const [cpus, vms] = [o.cpus as number, o.vms as number];
  try {
    // Bounds first: the layout needs a sane CPU and VM count.
    const system0 = {
      cpus,
      hotplug: o.hotplug as number,
      vms,
      hotplugFromBoot: o.hotplugFromBoot as boolean,
      tlbScope: o.tlbScope as 'volatile' | 'all',
      cpuPm: (o.cpuPm as number | undefined) ?? 0,
    };
    checkBounds(system0.cpus, system0.hotplug, system0.vms, system0.cpuPm);
    const design = checkDesign(path, o.design);
    const layout = checkLayout(path, o.layout, cpus, vms, design);
    return { sys: system({ design, layout, ...system0 }), system: { design, layout, ...system0 } };
  } catch (e) {
    if (e instanceof TraceError) throw e;
    fail(path, (e as Error).message);
  }
}

function checkVerdict(path: string, v: unknown): TraceFile['violation'] {
  if (v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) fail(path, '"violation" must be null or {"invariant", "message"}');
  const o = v as Record<string, unknown>;
  onlyKeys(path, o, 'violation.', ['invariant', 'message']);
  if (typeof o.invariant !== 'string' || typeof o.message !== 'string') fail(path, '"violation" must be null or {"invariant", "message"}');
  return { invariant: o.invariant, message: o.message };
}

/** Read and check a trace file; returns the file and the system it was recorded on (not yet replayed). */
export function readTraceFile(path: string): { file: TraceFile; sys: System } {
  const json = readInputJson(path, 'trace file');
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail(path, 'not a JSON object');
  const o = json as Record<string, unknown>;
  if (o.format !== TRACE_FORMAT) fail(path, `format must be "${TRACE_FORMAT}", got ${JSON.stringify(o.format)}`);
  onlyKeys(path, o, '', topKeys);
  if (!Object.hasOwn(o, 'violation')) fail(path, 'missing "violation" (null for none)');
  const violation = checkVerdict(path, o.violation);
  if (!Array.isArray(o.trace)) fail(path, '"trace" must be an array');
  const trace = o.trace.map((e, i) => checkEntry(path, e, i));
  if (o.loop !== undefined && (!Number.isSafeInteger(o.loop) || (o.loop as number) < 1)) fail(path, '"loop" must be a positive step number');
  if (o.loop !== undefined && !violation) fail(path, '"loop" is only for a liveness violation, and the file records none');
  const { sys, system: recorded } = checkSystem(path, o.system);
  return { file: { format: TRACE_FORMAT, system: recorded, violation, trace, ...(o.loop !== undefined ? { loop: o.loop as number } : {}) }, sys };
}

/**
 * Read a trace file and hold it to what it records (api/explore.ts `verifyTrace`): every way a file can
 * be wrong, from its shape to a delivery the system would not make, is one TraceError naming the file.
 */
export function readVerifiedTraceFile(path: string): { file: TraceFile; sys: System; replayed: ReplayResult } {
  const { file, sys } = readTraceFile(path);
  try {
    return { file, sys, replayed: verifyTrace(sys, file.trace, { violation: file.violation, loop: file.loop }) };
  } catch (e) {
    if (e instanceof TraceError) fail(path, e.message);
    throw e;
  }
}
