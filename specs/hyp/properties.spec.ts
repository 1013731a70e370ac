/**
 * Laws, checked with fast-check: page tables and TLBs behave like the maps they stand for, and the
 * symmetry canonicalisation of state keys is invariant under renaming interchangeable CPUs.
 */
import fc from 'fast-check';
import { system } from '../../api/system';
import type { Engine, World } from '../../bus/engine';
import type { BusEvent } from '../../bus/spec';
import type { TraceEntry } from '../../bus/trace';
import { findStep } from '../../explore/match';
import { emptyPgd, freePgd, mapPage, pgdKey, unmapPage, walk, type Pgd } from '../../mmu/pgd';
import { emptyTlb, fill, invalidateAll, lookup, type Tlb } from '../../mmu/tlb';
import { translate } from '../../mmu/translate';

// A few VAs, low and high (above 2^31: the vectors page, the collide layout's idmap), page aligned.
const va = fc.constantFrom(0x1000, 0x2000, 0x3000, 0x80208000, 0xc0008000, 0xffff0000);
const pa = fc.nat({ max: 0xfffff }).map((n) => n * 0x1000);
type Op = { kind: 'map'; va: number; pa: number } | { kind: 'unmap'; va: number };
const op: fc.Arbitrary<Op> = fc.oneof(fc.record({ kind: fc.constant('map' as const), va, pa }), fc.record({ kind: fc.constant('unmap' as const), va }));

/** Apply ops to a page table and to the map it stands for. */
function build(ops: readonly Op[], start: Pgd = emptyPgd): { pgd: Pgd; model: Map<number, number> } {
  let pgd = start;
  const model = new Map<number, number>();
  for (const [v, p] of start.entries) model.set(v, p);
  for (const o of ops) {
    if (o.kind === 'map') {
      pgd = mapPage(pgd, o.va, o.pa);
      model.set(o.va, o.pa);
    } else {
      pgd = unmapPage(pgd, o.va);
      model.delete(o.va);
    }
  }
  return { pgd, model };
}

const sameMap = (a: Map<number, number>, b: Map<number, number>) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);

describe('page tables (fast-check)', () => {
  test('a walk answers what the map says: mapped VAs give their PA, the rest are unmapped', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), va, (ops, v) => {
        const { pgd, model } = build(ops);
        const w = walk(pgd, v);
        expect(w).toEqual(model.has(v) ? { kind: 'mapped', pa: model.get(v) } : { kind: 'unmapped' });
      }),
    );
  });

  test('map then walk gives the PA; unmap then walk is unmapped; the original table is untouched', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 20 }), va, pa, (ops, v, p) => {
        const { pgd } = build(ops);
        const before = pgdKey(pgd);
        expect(walk(mapPage(pgd, v, p), v)).toEqual({ kind: 'mapped', pa: p });
        expect(walk(unmapPage(pgd, v), v)).toEqual({ kind: 'unmapped' });
        expect(walk(unmapPage(mapPage(pgd, v, p), v), v)).toEqual({ kind: 'unmapped' });
        expect(pgdKey(pgd)).toBe(before);
      }),
    );
  });

  test('operations on distinct VAs commute (map/map, map/unmap, unmap/unmap)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 20 }), op, op, (ops, a, b) => {
        fc.pre(a.va !== b.va);
        const { pgd } = build(ops);
        const ab = build([a, b], pgd).pgd;
        const ba = build([b, a], pgd).pgd;
        expect(pgdKey(ab)).toBe(pgdKey(ba));
        expect(ab.entries).toEqual(ba.entries);
      }),
    );
  });

  test('two tables have the same key iff they hold the same mappings', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 12 }), fc.array(op, { maxLength: 12 }), fc.boolean(), (xs, ys, freed) => {
        const a = build(xs);
        const b = build(ys);
        expect(pgdKey(a.pgd) === pgdKey(b.pgd)).toBe(sameMap(a.model, b.model));
        // freed is part of the key: a freed table is never the live one
        expect(pgdKey(freePgd(a.pgd)) === pgdKey(b.pgd)).toBe(false);
        if (freed) expect(pgdKey(freePgd(a.pgd)) === pgdKey(freePgd(b.pgd))).toBe(sameMap(a.model, b.model));
      }),
      { numRuns: 300 },
    );
  });

  test('a freed table answers every walk with a use-after-free', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 20 }), va, (ops, v) => expect(walk(freePgd(build(ops).pgd), v)).toEqual({ kind: 'freed' })));
  });
});

type Fill = { va: number; pa: number };
const fills = fc.array(fc.record({ va, pa }), { maxLength: 20 });
const tlbOf = (fs: readonly Fill[]): Tlb => fs.reduce<Tlb>((t, f) => fill(t, f.va, f.pa), emptyTlb);

describe('TLBs (fast-check)', () => {
  test('fill then lookup gives the PA; other entries are kept', () => {
    fc.assert(
      fc.property(fills, va, pa, va, (fs, v, p, other) => {
        const t = tlbOf(fs);
        const t2 = fill(t, v, p);
        expect(lookup(t2, v)).toBe(p);
        if (other !== v) expect(lookup(t2, other)).toBe(lookup(t, other));
      }),
    );
  });

  test('one entry per VA: the last fill wins', () => {
    fc.assert(
      fc.property(fills, (fs) => {
        const t = tlbOf(fs);
        const last = new Map(fs.map((f) => [f.va, f.pa]));
        expect(t.length).toBe(last.size);
        expect(new Set(t.map(([v]) => v)).size).toBe(t.length);
        for (const [v, p] of last) expect(lookup(t, v)).toBe(p);
      }),
    );
  });

  test('invalidateAll empties the TLB', () => {
    fc.assert(
      fc.property(fills, va, (fs, v) => {
        const t = invalidateAll(tlbOf(fs));
        expect(t).toHaveLength(0);
        expect(lookup(t, v)).toBeUndefined();
      }),
    );
  });

  test('with an empty TLB, translate never returns a stale value: it answers what the walk says', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 20 }), va, fc.boolean(), fc.boolean(), (ops, v, freed, tracked) => {
        const { pgd, model } = build(ops);
        const table = freed ? freePgd(pgd) : pgd;
        const t = translate(emptyTlb, v, walk(table, v), tracked);
        if (freed) expect(t).toEqual({ kind: 'use-after-free' });
        else if (!model.has(v)) expect(t).toEqual({ kind: 'translation-fault' });
        else {
          expect(t).toMatchObject({ kind: 'walked', pa: model.get(v) });
          // it caches what it walked, if the VA is tracked
          expect(lookup((t as { tlb: Tlb }).tlb, v)).toBe(tracked ? model.get(v) : undefined);
        }
      }),
    );
  });

  test('a hit returns the cached PA whatever the table says now (that is what stale means)', () => {
    fc.assert(
      fc.property(fills, va, pa, fc.array(op, { maxLength: 10 }), (fs, v, p, ops) => {
        const t = fill(tlbOf(fs), v, p);
        expect(translate(t, v, walk(build(ops).pgd, v))).toEqual({ kind: 'hit', pa: p, tlb: t });
      }),
    );
  });
});

describe('symmetry canonicalisation (fast-check, random walks of trampoline systems)', () => {
  const configs = [
    // collide-text: the collision on a shared page (the HYP text), so every CPU stays interchangeable.
    { design: 'trampoline', layout: 'collide-text', cpus: 3, hotplug: 2, vms: 1 },
    { design: 'trampoline', layout: 'disjoint', cpus: 3, hotplug: 1, vms: 0 },
    { design: 'tlbi-before-switch', layout: 'collide-text', cpus: 3, hotplug: 1, vms: 0 },
  ] as const;

  for (const cfg of configs) {
    const sys = system({ ...cfg });
    const layout = sys.hyp!.config.layout;
    const cpuActor = (c: number) => sys.hyp!.cpuActors[c];

    /** Rename CPUs a <-> b in a recorded step: actor ids, CPU numbers, and each CPU's own pages. */
    const renamer = (a: number, b: number) => {
      const cpu = (c: number) => (c === a ? b : c === b ? a : c);
      const id = (s: string) => s.replace(/^cpu(\d+)$/, (_m, n) => `cpu${cpu(Number(n))}`);
      const own = new Map<number, number>();
      for (const pages of [layout.stacks, layout.hostCtx])
        for (const [x, y] of [
          [a, b],
          [b, a],
        ]) {
          own.set(pages[x].va, pages[y].va);
          own.set(pages[x].pa, pages[y].pa);
        }
      const value = (k: string, v: unknown): unknown =>
        k === 'cpu' && typeof v === 'number'
          ? cpu(v)
          : typeof v === 'number' && own.has(v)
            ? own.get(v)
            : typeof v === 'string'
              ? v.replace(/cpu(\d+)/g, (_m, n) => `cpu${cpu(Number(n))}`)
              : v;
      return (e: TraceEntry): TraceEntry => ({
        ...e,
        to: id(e.to),
        from: id(e.from),
        payload: Object.fromEntries(Object.entries(e.payload).map(([k, v]) => [k, value(k, v)])),
      });
    };

    /** A random walk and its mirror image (CPUs a and b swapped at every step), in one engine. */
    const walks = (engine: Engine<unknown>, choices: readonly number[], a: number, b: number): [World, World][] => {
      const cs = engine;
      const rename = renamer(a, b);
      let w = cs.initial();
      let m = cs.initial();
      const out: [World, World][] = [[w, m]];
      for (const c of choices) {
        const en = cs.enabled(w);
        if (!en.length) break;
        const st = en[c % en.length];
        const { type, ...payload } = st.event as BusEvent;
        const entry: TraceEntry = { step: 1, to: cs.actorId(st.actor), from: cs.actorId(st.from), event: type, payload };
        const mirror = findStep(cs, cs.enabled(m), rename(entry));
        if (!mirror) throw new Error(`the mirror image of ${entry.to} ${entry.event} ${JSON.stringify(entry.payload)} is not enabled`);
        w = cs.apply(w, st);
        m = cs.apply(m, mirror);
        out.push([w, m]);
      }
      return out;
    };

    const pair = fc.tuple(fc.nat({ max: cfg.cpus - 1 }), fc.nat({ max: cfg.cpus - 1 })).filter(([a, b]) => a !== b);
    const choices = fc.array(fc.nat({ max: 1000 }), { maxLength: 90 });

    describe(`${cfg.design}, ${cfg.layout}, N=${cfg.cpus} K=${cfg.hotplug} M=${cfg.vms}`, () => {
      test('the CPUs form one symmetry class', () => {
        expect(sys.engine({ symmetry: true }).classes).toEqual([sys.hyp!.cpuActors]);
      });

      test('the key of every state is the key of its mirror image (two CPUs swapped, their messages renamed)', () => {
        let distinguished = 0;
        fc.assert(
          fc.property(choices, pair, (cs, [a, b]) => {
            const engine = sys.engine({ symmetry: true });
            for (const [w, m] of walks(engine, cs, a, b)) expect(engine.key(m)).toBe(engine.key(w));
            // Without symmetry the same two runs are told apart somewhere (the property is not vacuous).
            const plain = sys.engine({ symmetry: false });
            for (const [w, m] of walks(plain, cs, a, b)) if (plain.key(w) !== plain.key(m)) distinguished++;
          }),
          { numRuns: 60 },
        );
        expect(distinguished).toBeGreaterThan(0);
      });

      test('swapping the local states of two CPUs with no messages to or from them gives the same key', () => {
        let checked = 0;
        fc.assert(
          fc.property(choices, pair, (cs, [a, b]) => {
            const engine = sys.engine({ symmetry: true });
            const [x, y] = [cpuActor(a), cpuActor(b)];
            for (const [w] of walks(engine, cs, a, b)) {
              if (involves(engine, w, [x, y])) continue; // messages would need renaming: the mirror walk covers those
              const locals = [...w.locals];
              [locals[x], locals[y]] = [locals[y], locals[x]];
              expect(engine.key({ ...w, locals })).toBe(engine.key(w));
              checked++;
            }
          }),
          { numRuns: 60 },
        );
        expect(checked).toBeGreaterThan(100);
      });

      test('decode(key) is a state whose key is that key', () => {
        fc.assert(
          fc.property(choices, (cs) => {
            const engine = sys.engine({ symmetry: true });
            for (const [w] of walks(engine, cs, 0, 1)) {
              const k = engine.key(w);
              expect(engine.key(engine.decode(k))).toBe(k);
              // and the representative is canonical: decoding twice changes nothing
              expect(engine.decode(engine.key(engine.decode(k)))).toEqual(engine.decode(k));
            }
          }),
          { numRuns: 60 },
        );
      });
    });
  }

  test('the v3.9 kernel calls CPUs in id order: legacy designs have no CPU symmetry', () => {
    expect(system({ design: 'legacy', cpus: 3, hotplug: 1 }).engine({ symmetry: true }).classes).toEqual([]);
  });
});

/** Some pending message is to or from one of `actors`. */
function involves(engine: Engine<unknown>, w: World, actors: number[]): boolean {
  const v = engine.view(w);
  for (let a = 0; a < engine.actorCount; a++) if (v.pendingFor(a).some((p) => actors.includes(p.from) || actors.includes(a))) return true;
  return false;
}
