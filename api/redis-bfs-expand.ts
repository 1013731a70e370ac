/**
 * Expanding one batch of a level's states as the one-process bfs does (explore/search.ts with the checker of
 * explore/exhaustive.ts): quiescence invariants on a state with no step enabled, persistent sets with the
 * level-synchronous cycle proviso, safety invariants on each successor. The proviso is "expand fully if a step
 * of the persistent set leads to a state reached at depth ≤ d" (docs/soundness.md): states of depth d + 1 being
 * added meanwhile by other workers do not count, so the levels do not depend on timing or on the worker count.
 */
import type { Checkable, Step, World } from '../explore/checkable';
import { fingerprint, fp } from '../explore/fingerprint';
import { hexFingerprint, type RecordedViolation } from './redis-bfs-keys';

export interface LevelEntry {
  id: string;
  /** Portable key and fingerprint of a state first reached at the level's depth. */
  k: string;
  f: string;
}

/** What one batch adds: the arguments of RECORD_LUA after the prefix and depth. */
export interface BatchRecord {
  entries: string[];
  states: string[];
  steps: number;
}

/** Per worker and run: what it already knows, to spare the portable keys (large, costly to make and to hash) and the wire. */
export interface ExpandMemo {
  /** Local key (cheap, per process) → portable key and fingerprint. */
  portable: Map<string, { k: string; f: string }>;
  /** Fingerprints this worker has seen recorded in the visited set: not sent again. */
  recorded: Set<string>;
}

/** Entries past this are dropped (the memo is only a shortcut; Redis decides). */
const MEMO_MAX = 1 << 20;

export function newMemo(): ExpandMemo {
  return { portable: new Map(), recorded: new Set() };
}

export interface ExpandOptions {
  memo: ExpandMemo;
  depth: number;
  por: boolean;
  maxDepth?: number;
  /** Depth at which each fingerprint was first reached (undefined: not yet), from the visited set in Redis. */
  depthsOf: (fps: readonly string[]) => Promise<(number | undefined)[]>;
}

function portableFp(sys: Checkable<World>, w: World, memo: ExpandMemo): { k: string; f: string } {
  const local = sys.key(w);
  let pf = memo.portable.get(local);
  if (pf) return pf;
  const k = sys.portableKey(w);
  fingerprint(k);
  pf = { k, f: hexFingerprint(fp[0], fp[1]) };
  if (memo.portable.size >= MEMO_MAX) memo.portable.clear();
  memo.portable.set(local, pf);
  return pf;
}

const recorded = (k: string, f: string, v: { invariant: string; message: string }): string =>
  JSON.stringify({ k, f, invariant: v.invariant, message: v.message } satisfies RecordedViolation);

/** The steps each entry expands with: its persistent set, or all enabled steps when the proviso says so. */
async function chooseSteps(sys: Checkable<World>, worlds: World[], enabled: Step[][], o: ExpandOptions): Promise<(readonly Step[])[]> {
  const chosen: (readonly Step[])[] = enabled.map((e) => e);
  if (!o.por || sys.acyclic) return o.por ? worlds.map((w, i) => (enabled[i].length < 2 ? enabled[i] : sys.ample(w, enabled[i]))) : chosen;
  const asks: { entry: number; f: string }[] = [];
  worlds.forEach((w, i) => {
    if (enabled[i].length < 2) return;
    const steps = sys.ample(w, enabled[i]);
    if (steps.length === enabled[i].length) return;
    chosen[i] = steps;
    for (const st of steps) asks.push({ entry: i, f: portableFp(sys, sys.apply(w, st), o.memo).f });
  });
  if (!asks.length) return chosen;
  const depths = await o.depthsOf(asks.map((a) => a.f));
  asks.forEach((a, j) => {
    const at = depths[j];
    if (at !== undefined && at <= o.depth) chosen[a.entry] = enabled[a.entry];
  });
  return chosen;
}

export async function expandBatch(sys: Checkable<World>, batch: readonly LevelEntry[], o: ExpandOptions): Promise<BatchRecord> {
  const worlds = batch.map((e) => sys.fromPortableKey(e.k));
  const enabled = worlds.map((w) => sys.enabled(w));
  const leaf = o.maxDepth !== undefined && o.depth >= o.maxDepth;
  const chosen = leaf ? enabled.map(() => []) : await chooseSteps(sys, worlds, enabled, o);
  const out: BatchRecord = { entries: [], states: [], steps: 0 };
  // Successors met twice in one batch are sent once (the script would keep the first anyway).
  const sent = new Set<string>();
  batch.forEach((e, i) => {
    const q = enabled[i].length === 0 ? sys.quiescentViolation(worlds[i]) : null;
    out.entries.push(e.id, String(chosen[i].length), q ? recorded(e.k, e.f, q) : '');
    out.steps += chosen[i].length;
    for (const st of chosen[i]) {
      const next = sys.apply(worlds[i], st);
      const { k, f } = portableFp(sys, next, o.memo);
      if (sent.has(f) || o.memo.recorded.has(f)) continue;
      sent.add(f);
      const v = sys.violation(next);
      out.states.push(f, e.f, k, v ? recorded(k, f, v) : '');
    }
  });
  return out;
}

/** After the batch's script call: every state it sent is in the visited set now. */
export function remember(memo: ExpandMemo, rec: BatchRecord): void {
  if (memo.recorded.size >= MEMO_MAX) memo.recorded.clear();
  for (let i = 0; i < rec.states.length; i += 4) memo.recorded.add(rec.states[i]);
}
