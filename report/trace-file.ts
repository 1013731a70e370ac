/**
 * Trace files: a counterexample with the full system it was found on (design knobs, layout addresses,
 * bounds), so `hypsim replay FILE` needs nothing else. Reading checks the shape and says what is wrong.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { system, type System } from '../api/system';
import type { TraceEntry } from '../bus/trace';
import { knobs, parseDesign, type Design } from '../design/design';
import { parseLayout, type Layout } from '../mmu/layout';
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
  if (!sys.hyp) throw new TraceError('trace files are written for HYP systems only; custom systems keep the trace array');
  const c = sys.hyp.config;
  return { format: TRACE_FORMAT, system: { design: c.design, layout: c.layout, cpus: c.cpus, hotplug: c.hotplug, vms: c.vms, hotplugFromBoot: c.hotplugFromBoot, tlbScope: c.tlbScope, cpuPm: c.cpuPm ?? 0 }, violation, trace, ...(loop !== undefined ? { loop } : {}) };
}

export function writeTraceFile(path: string, file: TraceFile): void {
  writeFileSync(path, JSON.stringify(file, null, 1) + '\n');
}

function fail(path: string, why: string): never {
  throw new TraceError(`trace file ${path}: ${why}`);
}

function checkEntry(path: string, e: unknown, i: number): TraceEntry {
  if (typeof e !== 'object' || e === null) fail(path, `trace[${i}] is not an object`);
  const o = e as Record<string, unknown>;
  if (!Number.isInteger(o.step) || (o.step as number) < 1) fail(path, `trace[${i}].step must be a positive integer`);
  for (const k of ['from', 'to', 'event'] as const) if (typeof o[k] !== 'string' || o[k] === '') fail(path, `trace[${i}].${k} must be a non-empty string`);
  if (typeof o.payload !== 'object' || o.payload === null || Array.isArray(o.payload)) fail(path, `trace[${i}].payload must be an object`);
  return o as unknown as TraceEntry;
}

/** Read and check a trace file; returns the file and the system it was recorded on. */
export function readTraceFile(path: string): { file: TraceFile; sys: System } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    fail(path, 'cannot be read');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail(path, `not valid JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null) fail(path, 'not a JSON object');
  const o = json as Record<string, unknown>;
  if (o.format !== TRACE_FORMAT) fail(path, `format must be "${TRACE_FORMAT}", got ${JSON.stringify(o.format)}`);
  const s = o.system as Record<string, unknown> | undefined;
  if (typeof s !== 'object' || s === null) fail(path, 'missing "system"');
  for (const k of ['cpus', 'hotplug', 'vms'] as const) if (!Number.isInteger(s[k])) fail(path, `system.${k} must be an integer`);
  if (typeof s.hotplugFromBoot !== 'boolean') fail(path, 'system.hotplugFromBoot must be true or false');
  if (s.tlbScope !== 'volatile' && s.tlbScope !== 'all') fail(path, 'system.tlbScope must be "volatile" or "all"');
  if (s.cpuPm !== undefined && !Number.isInteger(s.cpuPm)) fail(path, 'system.cpuPm must be an integer');
  if (!Array.isArray(o.trace)) fail(path, '"trace" must be an array');
  const trace = o.trace.map((e, i) => checkEntry(path, e, i));
  if (o.loop !== undefined && (!Number.isInteger(o.loop) || (o.loop as number) < 1)) fail(path, '"loop" must be a positive step number');
  const v = o.violation as Record<string, unknown> | null | undefined;
  if (v !== null && (typeof v !== 'object' || typeof v?.invariant !== 'string' || typeof v?.message !== 'string')) fail(path, '"violation" must be null or {"invariant", "message"}');
  let sys: System;
  try {
    const d = s.design as Record<string, unknown>;
    if (typeof d !== 'object' || d === null) fail(path, 'system.design must be an object of knobs');
    const knobValues = Object.fromEntries(Object.entries(d).filter(([k]) => (knobs as string[]).includes(k) || ['name', 'description', 'kernel'].includes(k)));
    const design = parseDesign(knobValues, String(d.name ?? 'design'));
    const layout = parseLayout(s.layout, s.cpus as number, s.vms as number);
    sys = system({ design, layout, cpus: s.cpus as number, hotplug: s.hotplug as number, vms: s.vms as number, hotplugFromBoot: s.hotplugFromBoot as boolean, tlbScope: s.tlbScope as 'volatile' | 'all', cpuPm: (s.cpuPm as number | undefined) ?? 0 });
  } catch (e) {
    if (e instanceof TraceError) throw e;
    fail(path, (e as Error).message);
  }
  return { file: { format: TRACE_FORMAT, system: s as unknown as TraceFile['system'], violation: (v ?? null) as TraceFile['violation'], trace, ...(o.loop !== undefined ? { loop: o.loop as number } : {}) }, sys };
}
