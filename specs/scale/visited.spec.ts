/** The fingerprint visited set, the exact one, the spilling frontier and their codec, against plain reference structures. */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FileSpillStore } from '../../api/file-spill';
import { ExactVisitedSet } from '../../explore/exact-visited';
import { collisionProbability, fingerprint, fp } from '../../explore/fingerprint';
import { FingerprintSet } from '../../explore/fingerprint-set';
import { FifoFrontier, LifoFrontier, type Frontier } from '../../explore/frontier';
import { decodeEntries, encodeEntries, MemorySpillStore } from '../../explore/spill';
import type { VisitedSet } from '../../explore/visited';
import { createRng } from '../../util/rng';
import { tmp } from '../cli/helpers';

const fpOf = (k: string) => {
  fingerprint(k);
  return `${fp[0]}:${fp[1]}`;
};

/** A random tree of keys (each key's parent is an earlier key), as the engine's keys look: short UTF-16 strings. */
function randomTree(n: number, seed: number): { keys: string[]; parent: number[] } {
  const rng = createRng(seed);
  const keys: string[] = [];
  const parent: number[] = [];
  const seen = new Set<string>();
  while (keys.length < n) {
    const len = 1 + rng.int(12);
    const k = String.fromCharCode(...Array.from({ length: len }, () => (rng.int(4) === 0 ? 0x8000 + rng.int(0x4000) : rng.int(64))));
    if (seen.has(k)) continue;
    seen.add(k);
    parent.push(keys.length === 0 ? -1 : rng.int(keys.length));
    keys.push(k);
  }
  return { keys, parent };
}

function checkSet(make: () => VisitedSet, n: number): void {
  const { keys, parent } = randomTree(n, 7);
  const set = make();
  const children = new Map<string, string[]>();
  let added = 0;
  keys.forEach((k, i) => {
    const p = parent[i] < 0 ? null : keys[parent[i]];
    if (set.add(k, p)) added++;
    if (p !== null) children.set(p, [...(children.get(p) ?? []), k]);
  });
  expect(added).toBe(n);
  expect(set.size).toBe(n);
  // Re-adding, from any parent, changes nothing.
  for (let i = 0; i < n; i += 7) expect(set.add(keys[i], keys[0])).toBe(false);
  expect(set.size).toBe(n);
  expect(keys.filter((k) => !set.has(k))).toEqual([]);
  expect(set.has('\u7fff not a key')).toBe(false);
  // Paths are the tree's, rebuilt through the successor function where only fingerprints are kept.
  for (const i of [0, 1, n >> 1, n - 1]) {
    const want: string[] = [];
    for (let j = i; j >= 0; j = parent[j]) want.push(keys[j]);
    expect(set.path(keys[i], (k) => children.get(k) ?? [])).toEqual(want.reverse());
  }
}

describe('visited sets', () => {
  test('64-bit fingerprints: no collision among 100k distinct short keys, and order matters', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(fpOf(String.fromCharCode(i & 0xff, (i >> 8) & 0xff, i >> 16)));
    expect(seen.size).toBe(100_000);
    expect(fpOf('ab')).not.toBe(fpOf('ba'));
    expect(fpOf('a')).not.toBe(fpOf('a\u0000'));
    fingerprint('');
    expect(fp[0] !== 0 || fp[1] !== 0).toBe(true);
  });

  test('the collision bound is the birthday bound n(n-1)/2^65', () => {
    expect(collisionProbability(1)).toBe(0);
    expect(collisionProbability(2 ** 24)).toBeCloseTo(2 ** 48 / 2 ** 65, 9);
    expect(collisionProbability(1e8)).toBeGreaterThan(2.7e-4);
    expect(collisionProbability(1e8)).toBeLessThan(2.72e-4);
    expect(collisionProbability(1e11)).toBeLessThanOrEqual(1);
  });

  test('FingerprintSet: membership and parent paths survive dozens of rehashes', () => {
    checkSet(() => new FingerprintSet({ capacity: 8 }), 8_000);
  });

  test('FingerprintSet: between 13.3 and 16.7 bytes a state once grown', () => {
    const set = new FingerprintSet();
    for (let i = 0; i < 60_000; i++) set.add(`s${i}`, i ? 's0' : null);
    const s = set.summary(0);
    expect(s.mode).toBe('fingerprint');
    expect(s.bytesPerState).toBeGreaterThanOrEqual(13.3);
    expect(s.bytesPerState).toBeLessThanOrEqual(16.7);
    expect(s.collisionProbability).toBeGreaterThan(0);
  });

  test('ExactVisitedSet: same behaviour, no probability', () => {
    checkSet(() => new ExactVisitedSet(), 8_000);
    expect(new ExactVisitedSet().summary(0)).toMatchObject({ mode: 'exact', collisionProbability: 0 });
  });
});

function drive(f: Frontier, ops: number, seed: number, lifo: boolean): void {
  const rng = createRng(seed);
  const ref: [string, number][] = [];
  const got: unknown[] = [];
  const want: unknown[] = [];
  let next = 0;
  let sizes = 0;
  const take = () => {
    const w = lifo ? ref.pop()! : ref.shift()!;
    want.push({ key: w[0], depth: w[1] });
    got.push(f.pop());
  };
  for (let i = 0; i < ops; i++) {
    // Mostly pushes early, mostly pops late: the frontier grows well past the in-memory budget, then drains.
    if (rng.int(ops) > i || ref.length === 0) {
      const k = `k${next}\u9999${'x'.repeat(next % 5)}`;
      f.push(k, next % 97);
      ref.push([k, next++ % 97]);
    } else take();
    if (f.size !== ref.length) sizes++;
  }
  while (ref.length) take();
  expect(got).toEqual(want);
  expect(sizes).toBe(0);
  expect(f.pop()).toBeUndefined();
}

describe('the frontier', () => {
  test('segment codec round-trips any code unit, empty keys and odd offsets', () => {
    const keys = ['', 'a', '\uffff\u0000\ud7ff', 'x'.repeat(10_000)];
    const depths = [0, 1, 2 ** 31, 7];
    const block = encodeEntries(keys, depths);
    const odd = new Uint8Array(block.length + 1);
    odd.set(block, 1);
    expect(decodeEntries(odd.subarray(1))).toEqual({ keys, depths });
  });

  test.each([
    ['FIFO', false],
    ['LIFO', true],
  ])('%s order is kept while segments spill and come back', (_n, lifo) => {
    const store = new MemorySpillStore();
    const opts = { store, keepInMemory: 64 };
    const f = lifo ? new LifoFrontier(opts) : new FifoFrontier(opts);
    drive(f, 6000, 3, lifo);
    expect(f.spilled).toBeGreaterThan(500);
    expect(store.writes).toBeGreaterThan(10);
    drive(lifo ? new LifoFrontier() : new FifoFrontier(), 3000, 4, lifo);
  });

  test('FileSpillStore: blocks round-trip through files, the directory is created late and removed on close', () => {
    const dir = join(tmp(), 'spill');
    mkdirSync(dir);
    const s = new FileSpillStore(dir);
    expect(readdirSync(dir)).toEqual([]);
    const a = s.write(new Uint8Array([1, 2, 3]));
    const b = s.write(new Uint8Array([4]));
    expect(readdirSync(dir)).toHaveLength(1);
    expect([...s.read(b)]).toEqual([4]);
    expect([...s.read(a)]).toEqual([1, 2, 3]);
    s.close();
    expect(readdirSync(dir)).toEqual([]);
  });
});
