/**
 * Graphviz DOT exports: statecharts as a digraph (a cluster per machine and per compound state, an edge
 * per transition, from the XState definitions) and a trace as a digraph with a lane per actor.
 * Every ID and label is a double-quoted DOT string with '\' and '"' escaped.
 */
import type { System } from '../api/system';
import type { TraceEntry } from '../bus/trace';
import type { Chart, ChartState } from '../inspector/statechart';
import { fetchesOf } from './fetches';
import { deliveryLabel, entryLeaf } from './mermaid';

/** A DOT double-quoted string. */
export function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

export function chartsToDot(charts: readonly { name: string; chart: Chart; actors: readonly string[] }[]): string {
  const out = [
    'digraph hypsim {',
    '  compound=true;',
    '  rankdir=LR;',
    '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  for (const { name, chart, actors } of charts) {
    const nid = (path: string) => dotString(`${name}/${path}`);
    const cluster = (s: ChartState, depth: number) => {
      const pad = '  '.repeat(depth + 1);
      if (!s.children.length) {
        out.push(`${pad}${nid(s.path)} [label=${dotString(s.key)}${s.key === 'fault' ? ', color="red", fontcolor="red"' : ''}];`);
        return;
      }
      out.push(`${pad}subgraph ${dotString(`cluster_${name}/${s.path}`)} {`);
      out.push(`${pad}  label=${dotString(depth === 0 ? `${name} (${actors.join(', ')})` : s.key)};`);
      if (depth === 0) out.push(`${pad}  style=dashed;`, `${pad}  ${nid('[*]')} [shape=point, label=""];`);
      else out.push(`${pad}  style=rounded;`);
      for (const c of s.children) cluster(c, depth + 1);
      out.push(`${pad}}`);
    };
    cluster(chart.root, 0);
    out.push(`  ${nid('[*]')} -> ${nid(entryLeaf(chart, chart.root.path))};`);
    const leafPaths = new Set<string>();
    const collect = (s: ChartState) => (s.children.length ? s.children.forEach(collect) : leafPaths.add(s.path));
    collect(chart.root);
    const declared = new Set<string>();
    for (const e of chart.edges) {
      // A transition of a compound state (the root's: in every state) starts from an "any state" node.
      let from = nid(e.source);
      if (!leafPaths.has(e.source)) {
        from = nid(`any:${e.source}`);
        if (!declared.has(from)) out.push(`  ${from} [label=${dotString(e.source ? `any state in ${e.source}` : 'any state')}, shape=plaintext];`);
        declared.add(from);
      }
      const label = dotString(`${e.event}${e.guarded ? ' [guard]' : ''}`);
      const style = e.guarded ? ', style=dashed' : '';
      if (!e.targets.length) out.push(`  ${from} -> ${from} [label=${label}${style}];`);
      for (const t of e.targets) out.push(`  ${from} -> ${nid(entryLeaf(chart, t))} [label=${label}${style}];`);
    }
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}

/**
 * A trace as a digraph with a lane per actor (a cluster, left to right in the system's actor order): each
 * delivery is a node in the lane of the actor that receives it; grey edges give the order of deliveries,
 * a solid edge in the sender's colour a message from another actor; the breaking delivery is red.
 */
export function traceToDot(sys: System, trace: readonly TraceEntry[], violation?: { invariant: string; message: string } | null): string {
  const ids = [...sys.spec.actors.map((a) => a.id)];
  for (const e of trace) for (const id of [e.from, e.to]) if (!ids.includes(id)) ids.push(id);
  const palette = ['#1d4e89', '#8a3b12', '#2f6b2f', '#6b2f6b', '#7a6a00', '#00656b', '#6b0000', '#3b3b3b'];
  const colour = (id: string) => palette[ids.indexOf(id) % palette.length];
  const head = (id: string) => dotString(`lane:${id}`);
  const fetches = fetchesOf(sys, trace);
  const h = sys.header;
  const out = ['digraph trace {', '  newrank=true;', '  rankdir=TB;'];
  out.push('  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=10];');
  out.push(`  label=${dotString(`hypsim: ${h.design} on ${h.layout ?? 'custom'}, ${h.cpus} CPUs, K=${h.hotplug}, ${h.vms} VMs`)};`);
  const lastIn = new Map<string, string>();
  for (const id of ids) {
    out.push(`  subgraph ${dotString(`cluster_lane_${id}`)} {`, `    label=${dotString(id)};`, '    style=dashed;', `    color=${dotString(colour(id))};`);
    out.push(`    ${head(id)} [label=${dotString(id)}, shape=plaintext, style=""];`);
    trace.forEach((e, i) => {
      if (e.to !== id) return;
      const last = violation && i === trace.length - 1;
      const text = `${deliveryLabel(e, fetches[i])}${last ? `\n✗ ${violation.invariant}: ${violation.message}` : ''}`;
      out.push(`    d${i} [label=${dotString(text)}, color=${dotString(last ? 'red' : colour(id))}${last ? ', fillcolor="#fde4e4", penwidth=2' : ''}];`);
    });
    out.push('  }');
  }
  // Lane headers side by side in actor order.
  out.push(`  { rank=same; ${ids.map(head).join('; ')}; }`);
  for (let i = 1; i < ids.length; i++) out.push(`  ${head(ids[i - 1])} -> ${head(ids[i])} [style=invis];`);
  trace.forEach((e, i) => {
    const prev = i > 0 ? `d${i - 1}` : null;
    if (prev) out.push(`  ${prev} -> d${i} [color="#bbbbbb", arrowsize=0.5];`);
    else out.push(`  ${head(e.to)} -> d0 [style=invis];`);
    const sender = lastIn.get(e.from) ?? head(e.from);
    if (e.from !== e.to) out.push(`  ${sender} -> d${i} [label=${dotString(e.event)}, color=${dotString(colour(e.from))}, constraint=false];`);
    lastIn.set(e.to, `d${i}`);
  });
  out.push('}');
  return `${out.join('\n')}\n`;
}
