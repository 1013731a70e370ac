import { emptyPgd, freePgd, mapPage, unmapPage, walk, pgdKey } from '../../mmu/pgd';
import { emptyTlb, fill, invalidateAll, lookup } from '../../mmu/tlb';
import { translate } from '../../mmu/translate';
import { collideLayout, collideTextLayout, disjointLayout, parseLayout, runtimePages } from '../../mmu/layout';
import { volatileVas } from '../../mmu/volatile';
import { applyWrite, initialMemory, memoryKey } from '../../mmu/memory';
import { InputError } from '../../util/errors';

describe('page tables are values', () => {
  test('map, walk, unmap', () => {
    const p = mapPage(mapPage(emptyPgd, 0x2000, 0x9000), 0x1000, 0x8000);
    expect(walk(p, 0x1000)).toEqual({ kind: 'mapped', pa: 0x8000 });
    expect(walk(p, 0x3000)).toEqual({ kind: 'unmapped' });
    expect(walk(unmapPage(p, 0x1000), 0x1000)).toEqual({ kind: 'unmapped' });
    expect(walk(emptyPgd, 0x1000)).toEqual({ kind: 'unmapped' }); // the original is untouched
  });
  test('equal tables have equal keys whatever the order of mapping', () => {
    const a = mapPage(mapPage(emptyPgd, 1 << 12, 5 << 12), 2 << 12, 6 << 12);
    const b = mapPage(mapPage(emptyPgd, 2 << 12, 6 << 12), 1 << 12, 5 << 12);
    expect(pgdKey(a)).toBe(pgdKey(b));
  });
  test('a walk of a freed table is a use-after-free, whatever it held', () => {
    const p = freePgd(mapPage(emptyPgd, 0x1000, 0x8000));
    expect(walk(p, 0x1000)).toEqual({ kind: 'freed' });
  });
});

describe('per-CPU TLB', () => {
  test('a hit returns the cached PA even after the table changed (stale)', () => {
    let pgd = mapPage(emptyPgd, 0x80208000, 0x80208000);
    const t = translate(emptyTlb, 0x80208000, walk(pgd, 0x80208000));
    expect(t).toMatchObject({ kind: 'walked', pa: 0x80208000 });
    pgd = mapPage(unmapPage(pgd, 0x80208000), 0x80208000, 0xc0208000);
    const again = translate((t as { tlb: typeof emptyTlb }).tlb, 0x80208000, walk(pgd, 0x80208000));
    expect(again).toMatchObject({ kind: 'hit', pa: 0x80208000 }); // not 0xc0208000: stale
  });
  test('a miss on an unmapped VA is a translation fault and fills nothing', () => {
    expect(translate(emptyTlb, 0x1000, { kind: 'unmapped' })).toEqual({ kind: 'translation-fault' });
  });
  test('a miss through a freed table is a use-after-free', () => {
    expect(translate(emptyTlb, 0x1000, { kind: 'freed' })).toEqual({ kind: 'use-after-free' });
  });
  test('one entry per VA; TLBI empties everything', () => {
    let t = fill(fill(emptyTlb, 0x1000, 0x8000), 0x1000, 0x9000);
    expect(t).toHaveLength(1);
    expect(lookup(t, 0x1000)).toBe(0x9000);
    t = fill(t, 0x2000, 0xa000);
    expect(invalidateAll(t)).toHaveLength(0);
  });
  test('an untracked VA is walked but not stored', () => {
    const t = translate(emptyTlb, 0x1000, { kind: 'mapped', pa: 0x8000 }, false);
    expect(t).toMatchObject({ kind: 'walked', pa: 0x8000, tlb: [] });
  });
});

describe('layouts', () => {
  test("collide: the idmap VA is the HYP VA of cpu0's HYP stack (high lowmem); the HYP text sits in the kernel image beside the init page", () => {
    const l = collideLayout(2, 1);
    expect(l.idmapVa).toBe(0x80208000);
    expect(l.stacks[0]).toEqual({ va: 0x80208000, pa: 0xc0208000 });
    expect(l.text).toEqual({ va: 0x40008000, pa: 0x80008000 });
    expect(
      runtimePages(l)
        .filter((p) => p.ref.va === l.idmapVa)
        .map((p) => p.name),
    ).toEqual(['stack cpu0']);
    expect(collideTextLayout(2, 1).text).toEqual({ va: 0x80208000, pa: 0xc0208000 });
    expect(l.trampolineVa).toBe(0xffff0000);
  });
  test('disjoint: no runtime VA equals the idmap VA (all above PAGE_OFFSET 0xC0000000)', () => {
    const l = disjointLayout(4, 2);
    for (const p of runtimePages(l)) {
      expect(p.ref.va).not.toBe(l.idmapVa);
      expect(p.ref.va).toBeGreaterThanOrEqual(0xc0000000);
      expect(p.ref.va - p.ref.pa).toBe(0x40000000);
    }
  });
  const good = {
    initPa: '0x80208000',
    trampolineVa: '0xffff0000',
    text: { va: '0xc0008000', pa: '0x80008000' },
    stacks: { va: '0xc1000000', pa: '0x81000000' },
    hostCtx: [
      { va: '0xc1100000', pa: '0x81100000' },
      { va: '0xc1101000', pa: '0x81101000' },
    ],
  };
  test('a user layout with generated and listed pages', () => {
    const l = parseLayout(good, 2, 0);
    expect(l.stacks[1]).toEqual({ va: 0xc1001000, pa: 0x81001000 });
    expect(l.idmapVa).toBe(0x80208000);
  });
  test.each([
    [{ ...good, initPa: '0x80208001' }, /initPa = 0x80208001 is not page aligned/],
    [{ ...good, trampolineVa: 'nope' }, /trampolineVa must be an address/],
    [{ ...good, colour: 'red' }, /unknown field colour/],
    [{ ...good, text: { va: '0xffff0000', pa: '0x80008000' } }, /HYP text VA 0xffff0000 is the trampoline VA/],
    [{ ...good, hostCtx: [{ va: '0xc1100000', pa: '0x81100000' }] }, /hostCtx lists 1 pages but 2 are needed/],
    [(({ initPa, ...rest }) => rest)(good), /missing field initPa/],
  ])('a malformed layout is refused with one line (%#)', (json, msg) => {
    expect(() => parseLayout(json, 2, 0)).toThrow(InputError);
    expect(() => parseLayout(json, 2, 0)).toThrow(msg);
  });
});

describe('shared memory and volatile VAs', () => {
  test('writes are values; keys tell memories apart', () => {
    const m = applyWrite(initialMemory, { type: 'mem.map', pgd: 'boot', va: 0x1000, pa: 0x2000, what: 'x' });
    expect(memoryKey(m)).not.toBe(memoryKey(initialMemory));
    expect(applyWrite(m, { type: 'mem.flag', flag: 'kvmUp', value: true }).kvmUp).toBe(true);
    expect(initialMemory.boot.entries).toHaveLength(0);
  });
  test('a VA mapped once in one table is stable; remapped, unmapped or in two tables is volatile', () => {
    const v = volatileVas(
      [
        { type: 'mem.map', pgd: 'hyp', va: 0x1000, pa: 0x1000, what: 'stable' },
        { type: 'mem.map', pgd: 'hyp', va: 0x2000, pa: 0x2000, what: 'a' },
        { type: 'mem.unmap', pgd: 'hyp', va: 0x2000, what: 'a' },
        { type: 'mem.map', pgd: 'boot', va: 0x3000, pa: 0x9000, what: 'b' },
        { type: 'mem.map', pgd: 'hyp', va: 0x3000, pa: 0x9000, what: 'b' },
      ],
      [0x4000],
    );
    expect([...v].sort((a, b) => a - b)).toEqual([0x2000, 0x3000, 0x4000]);
  });
});
