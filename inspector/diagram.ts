/**
 * A statechart as an SVG diagram, laid out from the chart data (inspector/statechart.ts): compound
 * states are boxes holding their children in a column, the root's compound children sit side by side,
 * transitions are arrows labelled with their event. Every state is a `<g class="st" data-path="…">`
 * the page highlights (and labels with the actors in it) at each step.
 */
import type { Chart, ChartEdge, ChartState } from './statechart';

interface Box {
  readonly state: ChartState;
  x: number;
  y: number;
  w: number;
  h: number;
  readonly children: Box[];
}

const LEAF_H = 36;
const HEADER = 20;
const PAD = 8;
const VGAP = 20;
const HGAP = 90;
/** Labels are nudged by up to this many label heights either way to keep clear of each other. */
const NUDGES = 8;
const CHAR_W = 7;

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function measure(s: ChartState, horizontal: boolean, hgap = HGAP): Box {
  if (!s.children.length) return { state: s, x: 0, y: 0, w: Math.max(120, s.key.length * CHAR_W + 26), h: LEAF_H, children: [] };
  const children = s.children.map((c) => measure(c, false));
  if (horizontal) {
    const w = children.reduce((n, c) => n + c.w, 0) + hgap * (children.length - 1) + 2 * PAD;
    const h = Math.max(...children.map((c) => c.h)) + HEADER + 2 * PAD;
    return { state: s, x: 0, y: 0, w, h, children };
  }
  const inner = Math.max(...children.map((c) => c.w));
  for (const c of children) if (!c.children.length) c.w = inner;
  const h = children.reduce((n, c) => n + c.h, 0) + VGAP * (children.length - 1) + HEADER + 2 * PAD;
  return { state: s, x: 0, y: 0, w: inner + 2 * PAD, h, children };
}

function place(b: Box, x: number, y: number, horizontal: boolean, hgap = HGAP): void {
  b.x = x;
  b.y = y;
  let cx = x + PAD;
  let cy = y + HEADER + PAD;
  for (const c of b.children) {
    place(c, cx, cy, false);
    if (horizontal) cx += c.w + hgap;
    else cy += c.h + VGAP;
  }
}

function index(b: Box, m: Map<string, Box>): Map<string, Box> {
  m.set(b.state.path, b);
  for (const c of b.children) index(c, m);
  return m;
}

export interface Diagram {
  readonly svg: string;
  readonly width: number;
  readonly height: number;
  /** Every state path drawn (the root is ''). */
  readonly paths: readonly string[];
}

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Arrow labels placed so far, nudged up or down until they overlap no other label and no state box. */
class Labels {
  readonly placed: Rect[] = [];
  /** How far right the drawing reaches (labels and loops may stick out of the root box). */
  right: number;

  constructor(
    private readonly leafBoxes: readonly Box[],
    right: number,
  ) {
    this.right = right;
  }

  private overlaps(r: Rect): boolean {
    const hit = (p: Rect) => r.x < p.x + p.w && p.x < r.x + r.w && r.y < p.y + p.h && p.y < r.y + r.h;
    return this.placed.some(hit) || this.leafBoxes.some(hit);
  }

  place(x: number, y: number, text: string, anchor: string): { x: number; y: number } {
    const w = text.length * 5.6 + 4;
    const x0 = anchor === 'middle' ? x - w / 2 : x;
    const nudges = [0, ...Array.from({ length: NUDGES }, (_, i) => [11 * (i + 1), -11 * (i + 1)]).flat()];
    for (const dy of nudges) {
      const r = { x: x0, y: y + dy - 9, w, h: 11 };
      if (!this.overlaps(r)) {
        this.placed.push(r);
        this.right = Math.max(this.right, x0 + w + 4);
        return { x, y: y + dy };
      }
    }
    this.placed.push({ x: x0, y: y - 9, w, h: 11 });
    this.right = Math.max(this.right, x0 + w + 4);
    return { x, y };
  }
}

/** Each state as a box (leaves: name and who is there; compound: name, with its children inside). */
function drawBoxes(
  out: string[],
  chart: Chart,
  title: string,
  boxes: ReadonlyMap<string, Box>,
  internal: ReadonlyMap<string, string[]>,
  b: Box,
  depth = 0,
): void {
  const s = b.state;
  const leaf = !b.children.length;
  const cls = `st ${leaf ? 'leaf' : 'compound'}${depth === 0 ? ' root' : ''}`;
  const tip = [s.path || chart.machineId, ...(internal.get(s.path) ?? []).map((e) => `${e} (stays)`)].join('\n');
  out.push(`<g class="${cls}" data-path="${escapeXml(s.path)}"><title>${escapeXml(tip)}</title>`);
  out.push(`<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="${leaf ? 6 : 9}"/>`);
  if (leaf) {
    out.push(`<text class="nm" x="${b.x + 8}" y="${b.y + 14}">${escapeXml(s.key)}</text>`);
    out.push(`<text class="who" x="${b.x + 8}" y="${b.y + 29}"></text>`);
  } else {
    out.push(`<text class="nm cn" x="${b.x + 8}" y="${b.y + 14}">${escapeXml(depth === 0 ? title : s.key)}</text>`);
    out.push(`<text class="who" x="${b.x + b.w - 8}" y="${b.y + 14}" text-anchor="end"></text>`);
  }
  const init = s.initial ? boxes.get(s.initial) : undefined;
  if (init && depth > 0) out.push(`<circle class="init" cx="${init.x - 4}" cy="${init.y - 4}" r="3"/>`);
  out.push('</g>');
  for (const c of b.children) drawBoxes(out, chart, title, boxes, internal, c, depth + 1);
}

/** A curved arrow between two boxes not one above the other, its label point, and how far right it reaches. */
function curve(s: Box, t: Box): { d: string; lx: number; ly: number; reach: number } {
  let x1: number, y1: number, x2: number, y2: number, c1: number, c2: number;
  let reach = 0;
  if (t.x >= s.x + s.w - 1) {
    [x1, y1, x2, y2] = [s.x + s.w, s.y + s.h / 2, t.x, t.y + Math.min(t.h / 2, 18)];
    c1 = x1 + Math.max(20, (x2 - x1) / 2);
    c2 = x2 - Math.max(20, (x2 - x1) / 2);
  } else if (t.x + t.w <= s.x + 1) {
    [x1, y1, x2, y2] = [s.x, s.y + s.h / 2, t.x + t.w, t.y + Math.min(t.h / 2, 18)];
    c1 = x1 - Math.max(20, (x1 - x2) / 2);
    c2 = x2 + Math.max(20, (x1 - x2) / 2);
  } else {
    // Same column, not adjacent: loop out on the right.
    const r = Math.max(s.x + s.w, t.x + t.w);
    [x1, y1, x2, y2] = [s.x + s.w, s.y + s.h / 2, t.x + t.w, t.y + Math.min(t.h / 2, 18)];
    c1 = r + 30;
    c2 = r + 30;
    reach = r + 40;
  }
  // Label at the midpoint of the cubic (t = 0.5).
  return { d: `M${x1},${y1} C${c1},${y1} ${c2},${y2} ${x2},${y2}`, lx: (x1 + 3 * c1 + 3 * c2 + x2) / 8, ly: (y1 + 3 * y1 + 3 * y2 + y2) / 8 - 3, reach };
}

/** Lay out and draw a chart. `title` labels the root box (e.g. "cpu × 2"). */
export function renderDiagram(chart: Chart, title: string): Diagram {
  const horizontal = chart.root.children.some((c) => c.children.length > 0);
  // Columns side by side: the gap fits the longest label of an arrow between two columns.
  const column = (p: string) => p.split('.')[0];
  const crossing = chart.edges.filter((e) => e.source !== '' && e.targets.some((t) => column(t) !== column(e.source)));
  const longest = Math.max(0, ...crossing.map((e) => (e.event + (e.guarded ? ' [g]' : '')).length));
  const hgap = Math.max(HGAP, Math.min(180, Math.ceil(longest * 5.6 + 24)));
  const root = measure(chart.root, horizontal, hgap);
  const M = 10;
  place(root, M, M, horizontal, hgap);
  const boxes = index(root, new Map());
  const parentOf = new Map<string, Box>();
  for (const b of boxes.values()) for (const c of b.children) parentOf.set(c.state.path, b);

  // Transitions from the root apply in every state: listed under the diagram rather than drawn.
  const global = chart.edges.filter((e) => e.source === '');
  const drawn = chart.edges.filter((e) => e.source !== '' && e.targets.some((t) => t !== e.source));
  const fanIn = new Map<string, number>();
  for (const e of drawn) for (const t of e.targets) fanIn.set(t, (fanIn.get(t) ?? 0) + 1);
  const internal = new Map<string, string[]>();
  for (const e of chart.edges)
    if (e.source !== '' && (e.targets.length === 0 || e.targets.every((t) => t === e.source)))
      internal.set(e.source, [...(internal.get(e.source) ?? []), e.event]);

  const out: string[] = [];
  const footer: string[] = global.map(
    (e) => `any state: ${e.event}${e.guarded ? ' [guard]' : ''} → ${e.targets.map((t) => t || '(root)').join(', ') || '↻ (no state change)'}`,
  );
  const footerH = footer.length * 15 + (footer.length ? 8 : 0);
  const height = root.h + 2 * M + footerH;
  const labels = new Labels(
    [...boxes.values()].filter((b) => !b.children.length),
    root.w + 2 * M,
  );
  drawBoxes(out, chart, title, boxes, internal, root);

  /** The target is the next state down in the same column: a short straight arrow. */
  const adjacent = (source: string, target: string): boolean => {
    const s = boxes.get(source);
    const t = boxes.get(target);
    const parent = parentOf.get(target);
    if (!s || !t || !parent || parentOf.get(source) !== parent) return false;
    return parent.children.indexOf(t) === parent.children.indexOf(s) + 1 && Math.abs(s.x - t.x) < 1 && t.y > s.y;
  };
  const edge = (e: ChartEdge, target: string) => {
    const s = boxes.get(e.source);
    const t = boxes.get(target);
    if (!s || !t) return;
    const faint = (fanIn.get(target) ?? 0) >= 4;
    const cls = `edge${e.guarded ? ' guarded' : ''}${faint ? ' faint' : ''}`;
    const adjacentBelow = adjacent(e.source, target);
    const x = s.x + Math.min(24, s.w / 2);
    const c = adjacentBelow ? { d: `M${x},${s.y + s.h} L${x},${t.y - 1}`, lx: x + 5, ly: (s.y + s.h + t.y) / 2 + 3, reach: 0 } : curve(s, t);
    const anchor = adjacentBelow ? 'start' : 'middle';
    labels.right = Math.max(labels.right, c.reach);
    out.push(
      `<g class="${cls}" data-event="${escapeXml(e.event)}" data-source="${escapeXml(e.source)}" data-target="${escapeXml(target)}"><path d="${c.d}" ` +
        `marker-end="url(#arrow-${escapeXml(chart.machineId)})"/>`,
    );
    if (!faint) {
      const text = e.event + (e.guarded ? ' [g]' : '');
      const at = adjacentBelow ? { x: c.lx, y: c.ly } : labels.place(c.lx, c.ly, text, anchor);
      if (adjacentBelow) labels.placed.push({ x: c.lx, y: c.ly - 9, w: text.length * 5.6 + 4, h: 11 });
      out.push(`<text x="${at.x.toFixed(1)}" y="${at.y.toFixed(1)}" text-anchor="${anchor}">${escapeXml(text)}</text>`);
    }
    out.push('</g>');
  };
  // Straight arrows first, so that the curved ones' labels keep clear of theirs.
  for (const straight of [true, false]) for (const e of drawn) for (const t of e.targets) if (t !== e.source && adjacent(e.source, t) === straight) edge(e, t);

  footer.forEach((f, i) => {
    out.push(`<text class="global" x="${M}" y="${root.y + root.h + 18 + i * 15}">${escapeXml(f)}</text>`);
  });

  const defs =
    `<defs><marker id="arrow-${escapeXml(chart.machineId)}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" ` +
    `orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>`;
  const width = Math.ceil(labels.right + 6);
  const svg =
    `<svg class="chart" data-machine="${escapeXml(chart.machineId)}" width="${width}" height="${height}" viewBox="0 0 ${width} ` +
    `${height}">${defs}${out.join('')}</svg>`;
  return { svg, width, height, paths: [...boxes.keys()] };
}
