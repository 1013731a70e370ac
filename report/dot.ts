/**
 * Graphviz DOT exports: statecharts as a digraph (a cluster per machine and per compound state, an edge
 * per transition, from the XState definitions) and a trace as a digraph of its deliveries in order.
 * Every ID and label is a double-quoted DOT string with '\' and '"' escaped.
 */
import type { System } from '../api/system';
import type { TraceEntry } from '../bus/trace';
import type { Chart, ChartState } from '../inspector/statechart';
import { deliveryLabel, entryLeaf } from './mermaid';

/** A DOT double-quoted string. */
export function dotString(s: string): string {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n') + '"';
}

export function chartsToDot(charts: readonly { name: string; chart: Chart; actors: readonly string[] }[]): string {
  const out = ['digraph hypsim {', '  compound=true;', '  rankdir=LR;', '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=11];', '  edge [fontname="Helvetica", fontsize=9];'];
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
  return out.join('\n') + '\n';
}

/** A trace as a digraph: one node per delivery, in order, coloured by actor; the breaking one in red. */
export function traceToDot(sys: System, trace: readonly TraceEntry[], violation?: { invariant: string; message: string } | null): string {
  const ids = sys.spec.actors.map((a) => a.id);
  const palette = ['#1d4e89', '#8a3b12', '#2f6b2f', '#6b2f6b', '#7a6a00', '#00656b', '#6b0000', '#3b3b3b'];
  const out = ['digraph trace {', '  rankdir=TB;', '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=10];', `  label=${dotString(`hypsim: ${sys.header.design} on ${sys.header.layout ?? 'custom'}, ${sys.header.cpus} CPUs, K=${sys.header.hotplug}, ${sys.header.vms} VMs`)};`];
  trace.forEach((e, i) => {
    const color = palette[Math.max(0, ids.indexOf(e.to)) % palette.length];
    const last = violation && i === trace.length - 1;
    const text = `${e.from === e.to ? e.to : `${e.from} → ${e.to}`}: ${deliveryLabel(e)}${last ? `\n✗ ${violation.invariant}: ${violation.message}` : ''}`;
    out.push(`  d${i} [label=${dotString(text)}, color=${dotString(last ? 'red' : color)}${last ? ', fillcolor="#fde4e4", penwidth=2' : ''}];`);
    if (i > 0) out.push(`  d${i - 1} -> d${i};`);
  });
  out.push('}');
  return out.join('\n') + '\n';
}
