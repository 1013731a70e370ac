/**
 * Export labels say what happened. The legacy collide counterexample is re-executed here, independently of
 * report/fetches.ts, and every translation's label is checked against the CPU's TLB and the page tables
 * in the state before that step: a hit names the PA the TLB gave (stale or not), only a miss is a walk.
 * DOT traces get a lane (cluster) per actor holding exactly the deliveries to that actor.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { system } from '../../api/system';
import type { TraceEntry } from '../../bus/trace';
import type { Checkable } from '../../explore/checkable';
import { findStep, primaryEntries } from '../../explore/match';
import type { CpuContext } from '../../machines/cpu-context';
import type { Memory } from '../../mmu/memory';
import { hex, walk } from '../../mmu/pgd';
import { lookup } from '../../mmu/tlb';
import { readTraceFile } from '../../report/trace-file';
import { hypsim, tmp } from '../cli/helpers';

const dir = tmp();
const file = join(dir, 'legacy.json');

interface Truth {
  index: number;
  va: number;
  tlb: number | undefined;
  tables: number | string;
}

/** For every delivery with a VA: what the CPU's TLB and the page tables held before that step. */
function truths(trace: readonly TraceEntry[]): Truth[] {
  const { sys } = readTraceFile(file);
  const engine = sys.engine({ symmetry: false }) as unknown as Checkable & { global(w: unknown): Memory };
  let world = engine.initial();
  const out: Truth[] = [];
  let at = 0;
  for (const entry of primaryEntries(trace)) {
    const st = findStep(engine, engine.enabled(world), entry)!;
    const rec: Parameters<Checkable['apply']>[2] = [];
    const next = engine.apply(world, st, rec);
    for (const d of rec!) {
      const ev = d.event as { va?: number };
      if (ev.va !== undefined && engine.actorId(d.to).startsWith('cpu')) {
        const ctx = engine.snapshot(world, d.to).context as CpuContext;
        const w = walk(engine.global(world)[ctx.httbr!], ev.va);
        out.push({ index: at, va: ev.va, tlb: lookup(ctx.tlb, ev.va), tables: w.kind === 'mapped' ? w.pa : w.kind });
      }
      at++;
    }
    world = next;
  }
  return out;
}

function expectHonest(label: string, t: Truth): void {
  expect(label).toContain(`VA ${hex(t.va)}`);
  if (t.tlb !== undefined) {
    expect(label).toContain(`TLB hit→PA ${hex(t.tlb)}`);
    expect(label).not.toMatch(/walk/);
    if (t.tables !== t.tlb) expect(label).toContain(`STALE (page tables now give ${typeof t.tables === 'number' ? `PA ${hex(t.tables)}` : t.tables})`);
    else expect(label).not.toContain('STALE');
  } else {
    expect(label).not.toContain('TLB hit');
    expect(label).toContain(`walk→${typeof t.tables === 'number' ? `PA ${hex(t.tables)}` : t.tables}`);
  }
}

let trace: TraceEntry[];
let facts: Truth[];

beforeAll(() => {
  expect(hypsim('explore', '--design', 'legacy', '--layout', 'collide', '--cpus', '2', '--hotplug', '0', '--trace-out', file, '--quiet').code).toBe(1);
  trace = JSON.parse(readFileSync(file, 'utf8')).trace;
  facts = truths(trace);
  // The trace has all three kinds, so no check below can pass vacuously.
  expect(facts.some((t) => t.tlb === undefined)).toBe(true);
  expect(facts.some((t) => t.tlb !== undefined && t.tlb === t.tables)).toBe(true);
  expect(facts.some((t) => t.tlb !== undefined && t.tlb !== t.tables)).toBe(true);
});

test('Mermaid: every translation labelled by what the re-executed CPU did', () => {
  const r = hypsim('export', '--format', 'mermaid', file);
  expect(r.code).toBe(0);
  const messages = r.stdout.split('\n').filter((l) => l.includes('->>'));
  expect(messages).toHaveLength(trace.length);
  for (const t of facts) expectHonest(messages[t.index], t);
  // The breaking access: the PA the CPU got is the stale one, and it is not called a walk.
  const last = messages[messages.length - 1];
  expect(last).toContain(`TLB hit→PA ${hex(facts[facts.length - 1].tlb!)}`);
  expect(last).not.toContain(`walk→PA ${hex(facts[facts.length - 1].tables as number)}`);
});

test('DOT: the same labels, and a lane per actor holding exactly its deliveries', () => {
  const r = hypsim('export', '--format', 'dot', file);
  expect(r.code).toBe(0);
  const sys = readTraceFile(file).sys;
  const labels = new Map([...r.stdout.matchAll(/^\s+d(\d+) \[label="((?:[^"\\]|\\.)*)"/gm)].map((m) => [Number(m[1]), m[2]]));
  expect(labels.size).toBe(trace.length);
  for (const t of facts) expectHonest(labels.get(t.index)!, t);
  const lanes = [...r.stdout.matchAll(/subgraph "cluster_lane_([^"]+)" \{([\s\S]*?)\n {2}\}/g)];
  expect(lanes.map((m) => m[1])).toEqual(sys.spec.actors.map((a) => a.id));
  for (const [, id, body] of lanes) {
    const inLane = [...body.matchAll(/^\s+d(\d+) \[/gm)].map((m) => Number(m[1]));
    expect(inLane).toEqual(trace.flatMap((e, i) => (e.to === id ? [i] : [])));
  }
  // A message from another actor is an edge from the sender's lane.
  const init = trace.findIndex((e) => e.event === 'INIT' && e.to === 'cpu0');
  expect(r.stdout).toMatch(new RegExp(`d\\d+ -> d${init} \\[label="INIT"`));
  expect(system({ design: 'legacy', cpus: 2 }).spec.actors.length).toBe(lanes.length);
});
