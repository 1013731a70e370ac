/**
 * A trace as a per-CPU timeline: one line per delivery, a lane per actor marking who acted, and what the
 * step did in the model's words, told by the system's narrator (for HYP systems actors/hyp-narrator.ts:
 * which VA was fetched, TLB hit or walk, which pgd, which TLB entry was stale and since when).
 * Re-executes the trace to see each state before and after.
 */
import type { Delivery } from '../bus/engine';
import type { TraceEntry } from '../bus/trace';
import type { Checkable } from '../explore/checkable';
import { reexecute } from '../explore/reexecute';
import type { System } from '../api/system';

export interface TimelineLine {
  step: number;
  actor: string;
  from: string;
  event: string;
  text: string;
  /** Kernel code the step stands for, where known. */
  cite?: string;
}

function lanes(sys: System): string[] {
  return sys.spec.actors.map((a) => a.id);
}

function laneLabel(id: string): string {
  return id === 'kernel' ? 'kern' : id === 'hotplug' ? 'hplg' : id;
}

/** Describe every delivery of `trace` (which must replay on `sys`), in the model's words where it has a narrator. */
export function describeTrace(sys: System, trace: readonly TraceEntry[]): TimelineLine[] {
  const engine: Checkable = sys.engine({ symmetry: false });
  const narration = sys.narrator?.start(engine);
  const out: TimelineLine[] = [];
  // The one re-executor (explore/reexecute.ts), strict: a timeline is drawn only for a faithful trace.
  for (const { entry, before, deliveries, after } of reexecute(engine, trace, 'strict')) {
    for (const d of deliveries) {
      const line = narration?.line(entry.step, d, engine.snapshot(before, d.to), engine.snapshot(after, d.to)) ?? plainLine(d);
      out.push({ step: entry.step, actor: engine.actorId(d.to), from: engine.actorId(d.from), event: d.event.type, ...line });
    }
  }
  return out;
}

/** A delivery with no narrator's words: its payload. */
function plainLine(d: Delivery): { text: string } {
  const { type, ...rest } = d.event;
  return { text: Object.keys(rest).length ? JSON.stringify(rest) : '' };
}

/** What the lane symbols mean (printed under every timeline). */
export const TIMELINE_LEGEND =
  'lanes: ● took the step  → sent the message it handles  ✗ broke an invariant  · no part in that step  ↻ the steps from there repeat forever';

export interface TimelineOptions {
  /** Only these actors' lanes and steps (e.g. the actors involved in a violation); the rest are counted. */
  actors?: readonly string[];
  /** End with the legend of the lane symbols (what the CLI and the Jest reports print). */
  legend?: boolean;
}

/**
 * The timeline as text: step number, one lane per actor (● acted, → sent, ✗ broke an invariant), actor,
 * event, what happened; with `legend`, then the legend. With `actors`, the other actors' lanes and steps are left out.
 */
export function renderTimeline(
  sys: System,
  trace: readonly TraceEntry[],
  violation?: { invariant: string; message: string; loop?: number } | null,
  opts: TimelineOptions = {},
): string {
  const all = describeTrace(sys, trace);
  const keep = opts.actors ? new Set(opts.actors) : null;
  const lines = keep ? all.filter((l) => keep.has(l.actor)) : all;
  const ids = keep ? lanes(sys).filter((i) => keep.has(i)) : lanes(sys);
  const w = Math.max(...ids.map((i) => laneLabel(i).length));
  const head = `${'step'.padStart(5)}  ${ids.map((i) => laneLabel(i).padEnd(w)).join(' ')}  `;
  const out = [`${head}actor    event`, '─'.repeat(head.length + 40)];
  const lastLine = all[all.length - 1];
  const ew = Math.max(5, ...lines.map((l) => l.event.length));
  out[0] = `${head}actor    ${'event'.padEnd(ew)} what happened`;
  let prev = -1;
  for (const l of lines) {
    const broke = violation && l === lastLine && /✗/.test(l.text);
    const lane = ids.map((i) => (i === l.actor ? (broke ? '✗' : '●') : i === l.from && l.from !== l.actor ? '→' : '·').padEnd(w)).join(' ');
    const num = l.step === prev ? '' : String(l.step);
    if (violation?.loop === l.step && l.step !== prev) out.push(`${''.padStart(5)}  ↻ from here the steps repeat forever`);
    prev = l.step;
    out.push(`${num.padStart(5)}  ${lane}  ${l.actor.padEnd(8)} ${l.event.padEnd(ew)} ${l.text}`);
  }
  const hidden = all.length - lines.length;
  if (hidden && keep) {
    const who = [...new Set(all.filter((l) => !keep.has(l.actor)).map((l) => l.actor))];
    out.push(`  (${hidden} step${hidden === 1 ? '' : 's'} of ${who.join(', ')} not shown: not involved in this violation)`);
  }
  if (opts.legend) out.push(TIMELINE_LEGEND);
  if (violation) out.push('', `✗ ${violation.invariant}: ${violation.message}`);
  return out.join('\n');
}
