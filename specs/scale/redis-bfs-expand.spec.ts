/**
 * One batch's expansion for the bfs over Redis, without Redis: the level-synchronous cycle proviso (a persistent
 * set is kept unless one of its steps leads to a state of depth ≤ d), what is sent for the script to record
 * (each successor once, with its violation; states this worker saw recorded not again), quiescence violations,
 * and the depth bound of the re-search.
 */
import { type ExpandOptions, expandBatch, newMemo, remember } from '../../api/redis-bfs-expand';
import type { Checkable, Step, World } from '../../explore/checkable';

/** Two toggles (a cycle: the proviso applies); actor 0's step alone is the persistent set; a = b = 1 breaks "both"; (0, 1) is an end state. */
interface Bits {
  a: number;
  b: number;
}
const step = (actor: number): Step => ({ actor, from: actor, event: { type: 'TOGGLE' } });
const toggles: Checkable<Bits> = {
  actorCount: 2,
  acyclic: false,
  readFields: [],
  initial: () => ({ a: 0, b: 0 }),
  enabled: (w) => (w.a === 0 && w.b === 1 ? [] : [step(0), step(1)]),
  ample: (_w, steps) => steps.filter((s) => s.actor === 0),
  apply: (w, s) => (s.actor === 0 ? { a: 1 - w.a, b: w.b } : { a: w.a, b: 1 - w.b }),
  key: (w) => `${w.a}${w.b}`,
  decode: (k) => ({ a: Number(k[0]), b: Number(k[1]) }),
  portableKey: (w) => `bits:${w.a}${w.b}`,
  portableFingerprint: (w, out) => {
    out[0] = w.a + 1;
    out[1] = w.b + 1;
  },
  fromPortableKey: (k) => ({ a: Number(k[5]), b: Number(k[6]) }),
  violation: (w) => (w.a === 1 && w.b === 1 ? { invariant: 'both', message: 'a and b' } : null),
  quiescentViolation: (w) => (w.a === 0 && w.b === 1 ? { invariant: 'end', message: 'stuck at 01' } : null),
  snapshot: () => {
    throw new Error('not used');
  },
  actorId: (i) => `t${i}`,
};
const sys = toggles as Checkable<World>;

const entry = (id: string, k: string) => ({ id, k, f: `fp-${k}` });
const opts = (depthOf: (f: string) => number | undefined, more: Partial<ExpandOptions> = {}): ExpandOptions => ({
  memo: newMemo(),
  depth: 3,
  por: true,
  fpOf: (w) => `fp-${toggles.portableKey(w as Bits)}`,
  depthsOf: async (fps) => fps.map(depthOf),
  recorded: async (fps) => fps.map(() => false),
  ...more,
});
/** The portable keys sent to the script, and their violations' invariants. */
const sent = (states: string[]) =>
  Array.from({ length: states.length / 4 }, (_, i) => [states[4 * i + 2], states[4 * i + 3] && JSON.parse(states[4 * i + 3]).invariant]);

describe('expanding a batch for the bfs over Redis', () => {
  test('the persistent set is kept while its successors are new or first reached at depth d + 1', async () => {
    for (const depth of [undefined, 4]) {
      const r = await expandBatch(
        sys,
        [entry('1-0', 'bits:00')],
        opts(() => depth),
      );
      expect(sent(r.states)).toEqual([['bits:10', '']]);
      expect(r.entries).toEqual(['1-0', '1', '']);
      expect(r.steps).toBe(1);
    }
  });

  test('a successor reached at depth ≤ d (a closed cycle) makes the state fully expanded', async () => {
    for (const depth of [0, 3]) {
      const r = await expandBatch(
        sys,
        [entry('1-0', 'bits:00')],
        opts(() => depth),
      );
      expect(sent(r.states)).toEqual([
        ['bits:10', ''],
        ['bits:01', ''],
      ]);
      expect(r.steps).toBe(2);
    }
  });

  test('each successor is sent once with its violation, with its parent; states seen recorded are not sent again', async () => {
    const o = opts(() => 0, { por: false });
    const batch = [entry('1-0', 'bits:10'), entry('1-1', 'bits:01'), entry('1-2', 'bits:11')];
    const r = await expandBatch(sys, batch, o);
    expect(sent(r.states)).toEqual([
      ['bits:00', ''],
      ['bits:11', 'both'],
      ['bits:01', ''],
      ['bits:10', ''],
    ]);
    // 01 is an end state: no step, its quiescence violation goes with its entry.
    expect(r.entries.slice(3, 6)).toEqual(['1-1', '0', expect.stringContaining('"invariant":"end"')]);
    expect(r.states.slice(0, 2)).toEqual([expect.any(String), 'fp-bits:10']);
    remember(o.memo, r);
    const again = await expandBatch(sys, batch, o);
    expect(again.states).toEqual([]);
    expect(again.steps).toBe(r.steps);
  });

  test('successors the visited set in Redis already holds are not sent (and not asked again)', async () => {
    const asked: string[][] = [];
    const o = opts(() => 0, {
      por: false,
      recorded: async (fps) => {
        asked.push([...fps]);
        return fps.map((f) => f === 'fp-bits:11');
      },
    });
    const batch = [entry('1-0', 'bits:10'), entry('1-1', 'bits:01')];
    const r = await expandBatch(sys, batch, o);
    expect(sent(r.states)).toEqual([['bits:00', '']]);
    expect(asked).toEqual([['fp-bits:00', 'fp-bits:11']]);
    expect(r.steps).toBe(2);
    remember(o.memo, r);
    asked.length = 0;
    const again = await expandBatch(sys, batch, o);
    expect(again.states).toEqual([]);
    expect(asked).toEqual([]);
  });

  test('at the depth bound states are checked but not expanded', async () => {
    const r = await expandBatch(
      sys,
      [entry('1-0', 'bits:00'), entry('1-1', 'bits:01')],
      opts(() => undefined, { maxDepth: 3 }),
    );
    expect(r.states).toEqual([]);
    expect(r.steps).toBe(0);
    expect(r.entries[5]).toContain('stuck at 01');
  });
});
