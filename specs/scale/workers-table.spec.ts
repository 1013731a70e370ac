/**
 * The pieces of the bfs on worker threads that make it fast: the visited set shared by the threads
 * (explore/shared-table.ts) and the portable fingerprint built from cached piece hashes (bus/portable-fingerprint.ts).
 * The table: concurrent inserts from two threads store the set one thread stores, say 'new' once per state and
 * keep the least parent of the level; older states keep theirs; growth keeps everything. The fingerprint: equal
 * across two independently built engines that met the intern codes in different orders, equal over an orbit,
 * distinct over the distinct states of a search.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { system } from '../../api/system';
import type { Engine, World } from '../../bus/engine';
import { search } from '../../explore/search';
import { MemoryVisitedSet } from '../../explore/numbered-states';
import { SharedTable, type SharedTableBuffers } from '../../explore/shared-table';
import { classPermutations, rng } from '../core/portable/reach';

/** Offers of (h, l, parent h, parent l): `count` states, each offered `times` times with random parents. */
function offers(seed: number, count: number, times: number): number[] {
  const r = rng(seed);
  const word = () => 1 + Math.floor(r() * (2 ** 32 - 1));
  const states = Array.from({ length: count }, () => [word(), word()]);
  const out: number[] = [];
  for (let t = 0; t < times; t++) for (const [h, l] of states) out.push(h, l, word(), word());
  return out;
}

/** The least parent offered per state, as one thread computes it without the table. */
function leastParents(all: readonly number[]): Map<string, [number, number]> {
  const m = new Map<string, [number, number]>();
  for (let i = 0; i < all.length; i += 4) {
    const k = `${all[i]},${all[i + 1]}`;
    const p = m.get(k);
    if (!p || all[i + 2] < p[0] || (all[i + 2] === p[0] && all[i + 3] < p[1])) m.set(k, [all[i + 2], all[i + 3]]);
  }
  return m;
}

/** Insert `list` at `depth` on a fresh thread once `go` is set: resolves to how many inserts said 'new'. */
function inserter(table: SharedTableBuffers, list: readonly number[], depth: number, go: SharedArrayBuffer): Promise<number> {
  const file = join(__dirname, '..', '..', 'dist', 'explore', 'shared-table.js');
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    const { SharedTable } = require(${JSON.stringify(file)});
    const t = SharedTable.attach(workerData.table);
    const go = new Int32Array(workerData.go);
    Atomics.add(go, 1, 1);
    Atomics.wait(go, 0, 0);
    let fresh = 0;
    const f = workerData.list;
    for (let i = 0; i < f.length; i += 4) if (t.insert(f[i], f[i + 1], f[i + 2], f[i + 3], workerData.depth) === 'new') fresh++;
    parentPort.postMessage(fresh);`;
  const w = new Worker(code, { eval: true, workerData: { table, list, depth, go } });
  return new Promise((resolve, reject) => {
    w.once('message', (n: number) => {
      resolve(n);
      void w.terminate();
    });
    w.once('error', reject);
  });
}

describe('the shared visited set (explore/shared-table.ts)', () => {
  test('two threads inserting at once store the set one thread stores, with one "new" per state and the least parent', async () => {
    const all = offers(7, 20000, 3);
    // Both threads offer every state in the same order (with different parents), so most states are raced for.
    const a = all.slice(0, 4 * 20000).concat(all.slice(4 * 40000));
    const b = all.slice(4 * 20000, 4 * 40000).concat(all.slice(4 * 40000));
    const one = SharedTable.create(1 << 16);
    for (let i = 0; i < all.length; i += 4) one.insert(all[i], all[i + 1], all[i + 2], all[i + 3], 1);
    const shared = SharedTable.create(1 << 16);
    const go = new SharedArrayBuffer(8);
    const flag = new Int32Array(go);
    const runs = [inserter(shared.buffers, a, 1, go), inserter(shared.buffers, b, 1, go)];
    while (Atomics.load(flag, 1) < 2) await new Promise((r) => setTimeout(r, 5));
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    const fresh = await Promise.all(runs);
    const least = leastParents(all);
    expect(shared.size).toBe(least.size);
    expect(one.size).toBe(least.size);
    expect(fresh[0] + fresh[1]).toBe(least.size);
    for (const [k, p] of least) {
      const [h, l] = k.split(',').map(Number);
      expect(shared.parent(h, l)).toEqual(p);
      expect(one.parent(h, l)).toEqual(p);
      expect(shared.depthOf(h, l)).toBe(1);
    }
  });

  test("a thread's share of a level: its inserts reach the shared count when published, and it says 'full' past its share", () => {
    const t = SharedTable.create(64);
    t.insert(1, 1, 0, 0, 0);
    t.share(2); // room for 48 states at 3/4: 47 left, 23 for this thread
    const xs = offers(3, 30, 1);
    const got = [];
    for (let i = 0; i < xs.length; i += 4) got.push(t.insert(xs[i], xs[i + 1], xs[i + 2], xs[i + 3], 1));
    expect(got.filter((g) => g === 'new')).toHaveLength(23);
    expect(got.slice(23).every((g) => g === 'full')).toBe(true);
    expect(t.size).toBe(1);
    t.publish();
    expect(t.size).toBe(24);
    expect(t.insert(xs[4 * 29], xs[4 * 29 + 1], 1, 1, 1)).toBe('full');
    t.settle();
    expect(t.size).toBe(24);
    // Settled: every insert counts at once again, up to 3/4 of the table.
    expect(t.insert(xs[4 * 29], xs[4 * 29 + 1], 1, 1, 1)).toBe('new');
    expect(t.size).toBe(25);
  });

  test('a state of an earlier level keeps its parent and depth; growth keeps every state, parent and depth', () => {
    let t = SharedTable.create(8);
    expect(t.insert(5, 6, 0, 0, 0)).toBe('new');
    const level1 = offers(3, 5, 2).map((x, i) => (i % 4 < 2 ? x : i % 4 === 2 ? 5 : 6));
    expect(t.grownFor(5)).not.toBe(t);
    t = t.grownFor(5);
    for (let i = 0; i < level1.length; i += 4) t.insert(level1[i], level1[i + 1], level1[i + 2], level1[i + 3], 1);
    expect(t.size).toBe(6);
    // Offered again at depth 2 with a lesser parent: already reached at depth 1, so nothing changes.
    for (let i = 0; i < level1.length; i += 4) expect(t.insert(level1[i], level1[i + 1], 1, 1, 2)).toBe('old');
    const big = offers(9, 3000, 1);
    const grown = t.grownFor(3000);
    expect(grown.capacity).toBeGreaterThanOrEqual(4096);
    expect(grown.size).toBe(6);
    for (let i = 0; i < big.length; i += 4) grown.insert(big[i], big[i + 1], big[i + 2], big[i + 3], 2);
    expect(grown.size).toBe(3006);
    expect(grown.grownFor(10)).toBe(grown);
    expect(grown.parent(5, 6)).toEqual([0, 0]);
    expect(grown.depthOf(5, 6)).toBe(0);
    for (let i = 0; i < level1.length; i += 4) {
      expect(grown.parent(level1[i], level1[i + 1])).toEqual([5, 6]);
      expect(grown.depthOf(level1[i], level1[i + 1])).toBe(1);
    }
    for (let i = 0; i < big.length; i += 4) expect(grown.parent(big[i], big[i + 1])).toEqual([big[i + 2], big[i + 3]]);
    expect(grown.depthOf(1, 2)).toBe(-1);
    expect(grown.parent(1, 2)).toBeUndefined();
    expect(() => grown.insert(0, 0, 1, 1, 3)).toThrow(/reserved/);
  });
});

const build = () => system({ design: 'trampoline', cpus: 3, hotplug: 2, vms: 1, cpuPm: 1 }).engine({ symmetry: true }) as Engine<unknown>;

function reached(e: Engine<unknown>, order: 'bfs' | 'dfs'): World[] {
  const out: World[] = [];
  search(e, new MemoryVisitedSet(), { order, por: true }, { reached: (_n, _k, w) => void out.push(w) });
  return out;
}

function pfp(e: Engine<unknown>, w: World): string {
  const out = new Uint32Array(2);
  e.portableFingerprint(w, out);
  return `${out[0]},${out[1]}`;
}

describe('the portable fingerprint (bus/portable-fingerprint.ts)', () => {
  test('equal across two independently built engines that met the codes in different orders; distinct states differ', () => {
    const a = build();
    const b = build();
    const inA = reached(a, 'bfs');
    // b learns the pieces in reverse order, then searches depth-first: its intern codes differ from a's.
    for (const w of [...inA].reverse()) b.fromPortableKey(a.portableKey(w));
    const inB = reached(b, 'dfs');
    const byKeyA = new Map(inA.map((w) => [a.portableKey(w), pfp(a, w)]));
    expect(inB.length).toBe(inA.length);
    let differ = 0;
    for (const w of inB) {
      const pk = b.portableKey(w);
      expect(pfp(b, w)).toBe(byKeyA.get(pk));
      if (a.key(a.fromPortableKey(pk)) !== b.key(w)) differ++;
    }
    expect(differ).toBeGreaterThan(0);
    // Distinct orbits (distinct portable keys), distinct fingerprints.
    expect(new Set(byKeyA.values()).size).toBe(byKeyA.size);
    expect(byKeyA.size).toBeGreaterThan(500);
  });

  test("equal over an orbit: every placement of interchangeable actors gives the representative's", () => {
    const e = build();
    const perms = classPermutations(e);
    expect(perms.length).toBeGreaterThan(1);
    const r = rng(5);
    const sample = reached(e, 'bfs').filter(() => r() < 0.1);
    for (const w of sample) {
      const f = pfp(e, w);
      for (const p of perms) expect(pfp(e, e.permute(w, p))).toBe(f);
    }
  });
});

describe('piece words: states any worker rebuilds (bus/portable-codec.ts fromPieceWords)', () => {
  const wordsOf = (e: Engine<unknown>, w: World): Uint32Array => {
    const out: number[] = [];
    e.pieceWords(e.canonical(w), out);
    return Uint32Array.from(out);
  };

  test('a state written by one engine is rebuilt by another from the texts the first handed out, exactly', () => {
    const a = build();
    const inA = reached(a, 'bfs');
    const words = inA.map((w) => wordsOf(a, w));
    const b = build();
    b.learnPieces(a.newPieces());
    expect(a.newPieces()).toEqual([]);
    for (const [i, w] of inA.entries()) {
      const back = b.fromPieceWords(words[i], 0, a.canonical(w).queue.length);
      expect(b.portableKey(back)).toBe(a.portableKey(w));
      expect(pfp(b, back)).toBe(pfp(a, w));
    }
    // b met every piece while rebuilding, learnt from a: nothing of its own to hand out.
    expect(b.newPieces()).toEqual([]);
    // Once learnt, a second pass finds every piece by its words alone: the same codes.
    for (const [i, w] of inA.entries())
      expect(b.key(b.fromPieceWords(words[i], 0, a.canonical(w).queue.length))).toBe(b.key(b.fromPortableKey(a.portableKey(w))));
  });

  test('a piece nobody described, or two texts for one hash, is an internal error, never a guess', () => {
    const a = build();
    const w = reached(a, 'bfs')[40];
    const words = wordsOf(a, w);
    const q = a.canonical(w).queue.length;
    expect(() => build().fromPieceWords(words, 0, q)).toThrow(/names a piece .* no thread described/);
    const pieces = a.newPieces();
    const b = build();
    b.learnPieces(pieces);
    expect(() => b.learnPieces([{ ...pieces[0], text: `${pieces[0].text} ` }])).toThrow(/two piece texts hash to one 64-bit word pair/);
    // Against a piece the engine hashed itself, too: an engine that met them all is told another text for one of them.
    reached(a, 'bfs');
    expect(() => a.learnPieces([{ ...pieces[1], text: `${pieces[1].text} ` }])).toThrow(/two piece texts hash to one 64-bit word pair/);
    // A text that does not hash to the words it came with is caught when the state is rebuilt.
    const c = build();
    c.learnPieces(pieces.map((p, i) => (i === pieces.length - 1 ? { ...p, h: p.h ^ 1 } : p)));
    const bad = Uint32Array.from(words);
    const last = pieces[pieces.length - 1];
    for (let i = 0; i < bad.length; i += 2) if (bad[i] === last.h && bad[i + 1] === last.l) bad[i] ^= 1;
    expect(() => c.fromPieceWords(bad, 0, q)).toThrow(/does not hash to the words|no thread described/);
  });
});
