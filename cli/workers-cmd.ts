/** `hypsim explore --workers N` under bfs: the level-synchronous search on worker threads (docs/scale.md, "Workers on one machine"). */
import { exploreWorkers } from '../api/explore-workers';
import type { ExploreResult } from '../api/explore';
import type { System } from '../api/system';
import { renderTimeline } from '../report/timeline';
import { traceFileFor } from '../report/trace-file';
import { InputError, present } from '../util/errors';
import type { ScaleFlags } from './scale-flags';
import { type SearchFlags, searchOptions } from './search-options';
import { describeSystem } from './system-flags';
import { noTraceOut, writeTraceOut } from './trace-out';

type Format = (title: string, r: ExploreResult, timeline: () => string) => string;
type Print = (s: string) => void;
type Flags = ScaleFlags & SearchFlags & { json?: boolean; quiet?: boolean; 'trace-out'?: string };

export async function workersCommand(
  sys: System,
  f: Flags,
  workers: number,
  out: Print,
  err: Print,
  format: Format,
  interrupt?: { readonly aborted: boolean },
): Promise<number> {
  if (f.scenario !== undefined) throw new InputError('hypsim explore: a scenario cannot run on worker threads (drop --workers)');
  const { maxStates, maxSeconds, symmetry, por } = searchOptions(f);
  const r = await exploreWorkers(sys, {
    strategy: 'bfs',
    workers,
    maxStates,
    maxSeconds,
    symmetry,
    por,
    maxMemoryMB: f['max-memory'],
    interrupt,
    onLevel: f.quiet ? undefined : progressLine(err),
  });
  const v = r.violation;
  const by = r.workers.expandedBy;
  const total = by ? by.reduce((a, b) => a + b, 0) : 0;
  const shared = by && total > 0 ? `, states expanded ${by.map((n) => `${Math.round((100 * n) / total)} %`).join(' / ')}` : '';
  const line = `\n  workers: ${workers} thread${workers === 1 ? '' : 's'}, level-synchronous bfs${shared}${r.workers.reason ? `; ${r.workers.reason}` : ''}`;
  if (f.json) out(JSON.stringify(r));
  else {
    // The workers line goes with the figures, before a counterexample's timeline.
    const text = format(describeSystem(sys), r, () => renderTimeline(sys, present(v, 'violation of a violation result').trace, v, { legend: true }));
    const at = v ? text.indexOf('\n\n') : -1;
    out(at < 0 ? text + line : text.slice(0, at) + line + text.slice(at));
  }
  if (f['trace-out'] !== undefined) {
    if (v) writeTraceOut('explore', f['trace-out'], traceFileFor(sys, { invariant: v.invariant, message: v.message }, v.trace), err);
    else noTraceOut('explore', f['trace-out'], err);
  }
  return r.result === 'verified' ? 0 : r.result === 'violation' ? 1 : 3;
}

/** About once a second (as one thread's progress line), at a level's end. */
function progressLine(err: Print): (states: number, depth: number, frontier: number) => void {
  const t0 = performance.now();
  let last = t0;
  return (states, depth, frontier) => {
    const now = performance.now();
    if (now - last < 1000) return;
    last = now;
    err(`  … ${states} states, depth ${depth}, next level ${frontier}, ${((now - t0) / 1000).toFixed(1)} s`);
  };
}
