/**
 * Expanding one batch of a level's states with the per-state semantics of the one bfs loop (explore/level-sync.ts:
 * persistent sets, then the level-synchronous cycle proviso "expand fully if a step of the persistent set leads to
 * a state reached at depth ≤ d", asked of the visited set in Redis in one round trip a batch; states of depth d + 1
 * added meanwhile by other workers do not count), with the checker of explore/exhaustive.ts: quiescence invariants
 * on a state with no step enabled, safety invariants on each new successor.
 */
import type { Checkable, World } from '../explore/checkable';
import { finishExpansion, planExpansion } from '../explore/level-sync';
import type { RecordedViolation } from './redis-bfs-keys';

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

/** Per worker and run: fingerprints it has seen recorded in the visited set, not sent again (the memo is only a shortcut; Redis decides). */
export interface ExpandMemo {
  recorded: Set<string>;
}

/** Entries past this are dropped. */
const MEMO_MAX = 1 << 20;

export function newMemo(): ExpandMemo {
  return { recorded: new Set() };
}

export interface ExpandOptions {
  memo: ExpandMemo;
  depth: number;
  por: boolean;
  maxDepth?: number;
  /** A state's fingerprint as the visited set in Redis names it (hex; the same function in every process). */
  fpOf: (w: World) => string;
  /** Depth at which each fingerprint was first reached (undefined: not yet), from the visited set in Redis. */
  depthsOf: (fps: readonly string[]) => Promise<(number | undefined)[]>;
  /** The state a portable key from the stream stands for (default: `sys.fromPortableKey`; the worker caches pieces: api/portable-decode.ts). */
  decode?: (k: string) => World;
  /** Whether each fingerprint is in the visited set in Redis already (read only). */
  recorded: (fps: readonly string[]) => Promise<boolean[]>;
}

const recorded = (k: string, f: string, v: { invariant: string; message: string }): string =>
  JSON.stringify({ k, f, invariant: v.invariant, message: v.message } satisfies RecordedViolation);

export async function expandBatch(sys: Checkable<World>, batch: readonly LevelEntry[], o: ExpandOptions): Promise<BatchRecord> {
  const decode = o.decode ?? ((k: string) => sys.fromPortableKey(k));
  const worlds = batch.map((e) => decode(e.k));
  const leaf = o.maxDepth !== undefined && o.depth >= o.maxDepth;
  const plans = worlds.map((w) => planExpansion(sys, w, leaf ? [] : sys.enabled(w), { por: o.por, key: o.fpOf }));
  // One round trip for every proviso question of the batch.
  const queries = plans.flatMap((p) => p.queries);
  const depths = queries.length ? await o.depthsOf(queries) : [];
  const out: BatchRecord = { entries: [], states: [], steps: 0 };
  const fresh: { f: string; parent: string; w: World }[] = [];
  // Successors met twice in one batch are considered once (the script would keep the first anyway).
  const met = new Set<string>();
  let asked = 0;
  batch.forEach((e, i) => {
    const plan = plans[i];
    const answers = plan.queries.map((_, j) => {
      const at = depths[asked + j];
      return at !== undefined && at <= o.depth;
    });
    asked += plan.queries.length;
    const next = finishExpansion(sys, plan, answers, o.fpOf);
    const q = (leaf ? sys.enabled(worlds[i]).length : plan.enabled.length) === 0 ? sys.quiescentViolation(worlds[i]) : null;
    out.entries.push(e.id, String(next.length), q ? recorded(e.k, e.f, q) : '');
    out.steps += next.length;
    for (const s of next) {
      if (met.has(s.key) || o.memo.recorded.has(s.key)) continue;
      met.add(s.key);
      fresh.push({ f: s.key, parent: e.f, w: s.world });
    }
  });
  // Portable keys are long and costly to make: one read-only round trip leaves out the states already recorded
  // (the script still decides atomically: a state recorded meanwhile by another worker is only sent in vain).
  const known = fresh.length ? await o.recorded(fresh.map((x) => x.f)) : [];
  fresh.forEach((x, i) => {
    if (known[i]) {
      note(o.memo, x.f);
      return;
    }
    const k = sys.portableKey(x.w);
    const v = sys.violation(x.w);
    out.states.push(x.f, x.parent, k, v ? recorded(k, x.f, v) : '');
  });
  return out;
}

function note(memo: ExpandMemo, f: string): void {
  if (memo.recorded.size >= MEMO_MAX) memo.recorded.clear();
  memo.recorded.add(f);
}

/** After the batch's script call: every state it sent is in the visited set now. */
export function remember(memo: ExpandMemo, rec: BatchRecord): void {
  for (let i = 0; i < rec.states.length; i += 4) note(memo, rec.states[i]);
}
