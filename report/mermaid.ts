/**
 * Mermaid exports: a trace as a sequenceDiagram (one participant per actor, one message per delivery, a
 * note where an invariant breaks; a translation is labelled by what re-executing the trace shows it did:
 * report/fetches.ts) and statecharts as a stateDiagram-v2, drawn from the XState
 * definitions (inspector/statechart.ts). Text is escaped with Mermaid's entity codes (#59; for ';' …),
 * so nothing in a label can end a statement or open markup.
 */
import type { System } from '../api/system';
import type { TraceEntry } from '../bus/trace';
import { chartsOf, type Chart, type ChartState } from '../inspector/statechart';
import { hex, type Walk } from '../mmu/pgd';
import { fetchesOf, type Fetch } from './fetches';

/** Escape label text for Mermaid: entity codes for the characters that carry syntax; one line. */
export function mermaidText(s: string): string {
  // One pass: an entity code's own '#' and ';' must not be escaped again.
  return s.replace(/\r?\n/g, ' ').replace(/[#;<>"%{}]/g, (c) => `#${c.charCodeAt(0)};`);
}

/** A Mermaid identifier for any string (letters, digits, underscores). */
export function mermaidId(s: string): string {
  const id = s.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(id) ? id : `_${id}`;
}

/** What a translation did, in a few words: "TLB hit → PA x", with "STALE" when the page tables now differ. */
export function fetchLabel(f: Fetch): string {
  const walked = (w: Walk) => (w.kind === 'mapped' ? `PA ${hex(w.pa)}` : w.kind);
  if (f.via === 'tlb') return `VA ${hex(f.va)} TLB hit→PA ${hex(f.pa)}${f.stale ? ` STALE (page tables now give ${walked(f.walk)})` : ''}`;
  if (f.via === 'speculative') return `VA ${hex(f.va)} speculative walk→${walked(f.walk)}`;
  return `VA ${hex(f.va)} TLB miss, walk→${walked(f.walk)}`;
}

/**
 * A delivery in a few words: the event and what it carries (CPU, online mask, page, and for a VA what the
 * translation did: pass `fetch` from `fetchesOf`; without it only the VA is named, never a guessed walk).
 */
export function deliveryLabel(e: TraceEntry, fetch?: Fetch | null): string {
  const p = e.payload as Record<string, unknown>;
  const parts: string[] = [`${e.step} ${e.event}`];
  if (typeof p.cpu === 'number') parts.push(`cpu${p.cpu}`);
  if (typeof p.page === 'string') parts.push(p.page);
  if (fetch) parts.push(fetchLabel(fetch));
  else if (typeof p.va === 'number') parts.push(`VA ${hex(p.va)}`);
  if (Array.isArray(p.online)) parts.push(`online [${p.online.join(',')}]`);
  if (typeof p.notifier === 'boolean') parts.push(`notifier ${p.notifier ? 'on' : 'off'}`);
  const known = new Set(['cpu', 'page', 'va', 'walk', 'online', 'notifier', 'expect']);
  for (const [k, v] of Object.entries(p)) if (!known.has(k)) parts.push(`${k}=${JSON.stringify(v)}`);
  return parts.join(' ');
}

/** The deliveries of a trace as a Mermaid sequenceDiagram. */
export function traceToMermaid(sys: System, trace: readonly TraceEntry[], violation?: { invariant: string; message: string } | null): string {
  const ids = sys.spec.actors.map((a) => a.id);
  const pid = new Map(ids.map((id) => [id, mermaidId(id)]));
  const h = sys.header;
  const out = ['sequenceDiagram', `  title ${mermaidText(`hypsim: ${h.design} on ${h.layout ?? 'custom'}, ${h.cpus} CPUs, K=${h.hotplug}, ${h.vms} VMs`)}`];
  for (const id of ids) out.push(pid.get(id) === id ? `  participant ${id}` : `  participant ${pid.get(id)} as ${mermaidText(id)}`);
  const fetches = fetchesOf(sys, trace);
  trace.forEach((e, i) => {
    const from = pid.get(e.from) ?? mermaidId(e.from);
    const to = pid.get(e.to) ?? mermaidId(e.to);
    out.push(`  ${from}->>${to}: ${mermaidText(deliveryLabel(e, fetches[i]))}`);
  });
  if (violation && trace.length) {
    const last = trace[trace.length - 1];
    out.push(`  Note over ${pid.get(last.to) ?? mermaidId(last.to)}: ${mermaidText(`✗ ${violation.invariant}: ${violation.message}`)}`);
  }
  return `${out.join('\n')}\n`;
}

/** The leaf a transition to `path` ends in (a compound state enters its initial child). */
export function entryLeaf(c: Chart, path: string): string {
  const find = (s: ChartState): ChartState | undefined => (s.path === path ? s : s.children.map(find).find(Boolean));
  let s = find(c.root);
  while (s?.children.length) {
    const init: string | undefined = s.initial;
    s = s.children.find((k) => k.path === init) ?? s.children[0];
  }
  return s ? s.path : path;
}

function leaves(s: ChartState): ChartState[] {
  return s.children.length ? s.children.flatMap(leaves) : [s];
}

/**
 * Statecharts as one stateDiagram-v2: a composite state per machine holding its leaf states (named by
 * their full path), with every transition inside it. Mermaid cannot draw transitions between states of
 * different nested composites, so compound states are flattened into their leaves' names; transitions
 * from a compound state (the root's apply in every state) come from an "any state" node.
 */
export function chartsToMermaid(charts: readonly { name: string; chart: Chart; actors: readonly string[] }[]): string {
  const out = ['stateDiagram-v2'];
  for (const { name, chart, actors } of charts) {
    const m = mermaidId(name);
    const sid = (path: string) => `${m}__${mermaidId(path || 'root')}`;
    out.push(`  state "${mermaidText(`${name} (${actors.join(', ')})`)}" as ${m} {`);
    const ls = leaves(chart.root);
    for (const l of ls) out.push(`    state "${mermaidText(l.path)}" as ${sid(l.path)}`);
    out.push(`    [*] --> ${sid(entryLeaf(chart, chart.root.path))}`);
    const compoundSources = new Set(chart.edges.filter((e) => ls.every((l) => l.path !== e.source)).map((e) => e.source));
    for (const src of compoundSources)
      out.push(`    state "${mermaidText(src ? `any state in ${src}` : 'any state')}" as ${m}__any_${mermaidId(src || 'root')}`);
    for (const e of chart.edges) {
      const from = compoundSources.has(e.source) ? `${m}__any_${mermaidId(e.source || 'root')}` : sid(e.source);
      const label = mermaidText(`${e.event}${e.guarded ? ' [guard]' : ''}`);
      if (!e.targets.length) out.push(`    ${from} --> ${from} : ${label}`);
      for (const t of e.targets) out.push(`    ${from} --> ${sid(entryLeaf(chart, t))} : ${label}`);
    }
    out.push('  }');
  }
  return `${out.join('\n')}\n`;
}

/** The system's statecharts, one per distinct machine, selected by name ('all' for every one). */
export function systemCharts(sys: System, machine: string): { name: string; chart: Chart; actors: string[] }[] {
  const all = chartsOf(sys.spec.actors);
  if (machine === 'all') return all;
  return all.filter((c) => c.name === machine);
}
