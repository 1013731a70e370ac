/**
 * Expanding one batch of a level's states with the per-state semantics of the one bfs loop (explore/level-sync.ts:
 * persistent sets, then the level-synchronous cycle proviso "expand fully if a step of the persistent set leads to
 * a state reached at depth ≤ d", asked of the visited set in Redis in one round trip a batch; states of depth d + 1
 * added meanwhile by other workers do not count), with the checker of explore/exhaustive.ts: quiescence invariants
 * on a state with no step enabled, safety invariants on each new successor.
 */
import type { Checkable, World } from '../explore/checkable';
import { fingerprint, fp } from '../explore/fingerprint';
import { finishExpansion, planExpansion } from '../explore/level-sync';
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

export async function expandBatch(sys: Checkable<World>, batch: readonly LevelEntry[], o: ExpandOptions): Promise<BatchRecord> {
  // Successors are named by the fingerprint of their portable key: what the visited set in Redis is keyed by.
  const portable = new Map<string, string>();
  const key = (w: World) => {
    const pf = portableFp(sys, w, o.memo);
    portable.set(pf.f, pf.k);
    return pf.f;
  };
  const worlds = batch.map((e) => sys.fromPortableKey(e.k));
  const leaf = o.maxDepth !== undefined && o.depth >= o.maxDepth;
  const plans = worlds.map((w) => planExpansion(sys, w, leaf ? [] : sys.enabled(w), { por: o.por, key }));
  // One round trip for every proviso question of the batch.
  const queries = plans.flatMap((p) => p.queries);
  const depths = queries.length ? await o.depthsOf(queries) : [];
  const out: BatchRecord = { entries: [], states: [], steps: 0 };
  // Successors met twice in one batch are sent once (the script would keep the first anyway).
  const sent = new Set<string>();
  let asked = 0;
  batch.forEach((e, i) => {
    const plan = plans[i];
    const answers = plan.queries.map((_, j) => {
      const at = depths[asked + j];
      return at !== undefined && at <= o.depth;
    });
    asked += plan.queries.length;
    const next = finishExpansion(sys, plan, answers, key);
    const q = (leaf ? sys.enabled(worlds[i]).length : plan.enabled.length) === 0 ? sys.quiescentViolation(worlds[i]) : null;
    out.entries.push(e.id, String(next.length), q ? recorded(e.k, e.f, q) : '');
    out.steps += next.length;
    for (const s of next) {
      const f = s.key;
      if (sent.has(f) || o.memo.recorded.has(f)) continue;
      const k = portable.get(f) as string;
      sent.add(f);
      const v = sys.violation(s.world);
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
