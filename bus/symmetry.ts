/**
 * Exact canonical form under symmetry: a state and every permutation of its interchangeable actors (actors
 * of one symmetry class, running one machine) get the same key, and states of different orbits get
 * different keys. Senders and receivers inside pending messages are permuted with the actors.
 *
 * Method: each member gets a signature that no permutation changes (its local state and, per channel,
 * the ordered events it holds, with symmetric counterparts named by class only); members are sorted by
 * it. Members that tie and exchange messages with symmetric actors are told apart only by which partner
 * is which, so every order of such ties is tried and the least state wins. Ties without such messages are
 * identical actors: any order gives the same state.
 *
 * Every comparison is by content (local states through `LocalOrder`, messages by sender, receiver and
 * event key), never by intern code: so every process that built the same system picks the same
 * representative, whatever order it met the states in (portable keys, bus/portable.ts).
 */
import { InternalError } from '../util/errors';
import type { World } from './key';

export interface Channelled {
  readonly from: number;
  readonly to: number;
  readonly eventKey: string;
}

/** The content order of local states, the same in every process. */
export interface LocalOrder {
  /** A short string ordering codes by a hash of their content: equal content, equal tag. */
  tag(actor: number, code: number): string;
  /** A total order of two codes by content (for equal tags); 0 only for equal codes. */
  compare(actor: number, a: number, b: number): number;
}

/** More orderings than this for one state means a symmetry class too large to canonicalise exactly by enumeration. */
const MAX_ORDERINGS = 40_320;

export class Symmetry {
  /** Class number of each actor, -1 for actors without a class. */
  private readonly classOf: number[];

  constructor(
    actorCount: number,
    /** Symmetry classes of two or more actor indices, each sorted. */
    readonly classes: readonly (readonly number[])[],
    private readonly message: (code: number) => Channelled,
    private readonly renamed: (code: number, from: number, to: number) => number,
    private readonly order: LocalOrder,
  ) {
    this.classOf = Array.from({ length: actorCount }, () => -1);
    classes.forEach((c, k) => {
      for (const a of c) this.classOf[a] = k;
    });
  }

  private tag(actor: number): string {
    const k = this.classOf[actor];
    return k < 0 ? String(actor) : `*${k}`;
  }

  /** Per member: a permutation-invariant signature, and whether it talks to symmetric actors. */
  private signature(world: World, i: number): { sig: string; code: number; talks: boolean } {
    // One list per channel (per actual partner, so two partners' messages never interleave); partners are named by class.
    const channels = new Map<string, { name: string; events: string[] }>();
    let talks = false;
    for (const c of world.queue) {
      const m = this.message(c);
      if (m.to !== i && m.from !== i) continue;
      const other = m.to === i ? m.from : m.to;
      if (this.classOf[other] >= 0) talks = true;
      const dir = m.from === m.to ? '=' : m.to === i ? '<' : '>';
      const id = dir + other;
      let ch = channels.get(id);
      if (!ch) {
        ch = { name: dir + this.tag(other), events: [] };
        channels.set(id, ch);
      }
      ch.events.push(m.eventKey);
    }
    const parts = [...channels.values()].map((ch) => ch.name + '\u0002' + ch.events.join('\u0003')).sort();
    const code = world.locals[i];
    return { sig: this.order.tag(i, code) + '\u0004' + parts.join('\u0001'), code, talks };
  }

  /** The representative of the state's orbit. */
  canonical(world: World): World {
    if (this.classes.length === 0) return sortChannels(world, this.message);
    const base = world.locals.map((_, i) => i); // base[position] = actor placed there
    const ambiguous: number[][] = []; // groups of positions whose order must be enumerated
    for (const cls of this.classes) {
      const sigs = cls.map((i) => ({ i, ...this.signature(world, i) }));
      // Equal signatures with different codes: a hash collision of two contents, ordered by content.
      sigs.sort((a, b) => (a.sig < b.sig ? -1 : a.sig > b.sig ? 1 : a.code !== b.code ? this.order.compare(a.i, a.code, b.code) : a.i - b.i));
      cls.forEach((pos, k) => {
        base[pos] = sigs[k].i;
      });
      for (let k = 0; k < sigs.length; ) {
        let e = k + 1;
        while (e < sigs.length && sigs[e].sig === sigs[k].sig && sigs[e].code === sigs[k].code) e++;
        if (e - k > 1 && sigs[k].talks) ambiguous.push(cls.slice(k, e));
        k = e;
      }
    }
    if (ambiguous.length === 0) return this.permute(world, base);
    let best: World | null = null;
    let tried = 0;
    for (const perm of orderings(base, ambiguous)) {
      if (++tried > MAX_ORDERINGS) throw new InternalError(`symmetry: more than ${MAX_ORDERINGS} orderings of tied actors in one state`);
      const w = this.permute(world, perm);
      if (best === null || this.compare(w, best) < 0) best = w;
    }
    return best ?? world;
  }

  /** A total order by content of two states with the same shared memory and channels sorted (the permutations of one state). */
  private compare(x: World, y: World): number {
    for (let p = 0; p < x.locals.length; p++)
      if (x.locals[p] !== y.locals[p]) {
        const t = this.order.tag(p, x.locals[p]);
        const u = this.order.tag(p, y.locals[p]);
        return t < u ? -1 : t > u ? 1 : this.order.compare(p, x.locals[p], y.locals[p]);
      }
    for (let q = 0; q < x.queue.length; q++) {
      if (x.queue[q] === y.queue[q]) continue;
      const m = this.message(x.queue[q]);
      const n = this.message(y.queue[q]);
      if (m.from !== n.from) return m.from - n.from;
      if (m.to !== n.to) return m.to - n.to;
      return m.eventKey < n.eventKey ? -1 : m.eventKey > n.eventKey ? 1 : 0;
    }
    return 0;
  }

  /** The state with the actor at `perm[p]` moved to position p, messages renamed with them (channels sorted). */
  permute(world: World, perm: readonly number[]): World {
    if (perm.every((old, p) => old === p)) return sortChannels(world, this.message);
    const inv: number[] = [];
    perm.forEach((old, p) => {
      inv[old] = p;
    });
    const queue = world.queue.map((c) => {
      const m = this.message(c);
      return this.renamed(c, inv[m.from], inv[m.to]);
    });
    return sortChannels({ locals: perm.map((old) => world.locals[old]), global: world.global, queue }, this.message);
  }
}

/** Channels are FIFO per (from, to); the order between channels carries no meaning, so it is fixed here. */
export function sortChannels(world: World, message: (code: number) => Channelled): World {
  if (world.queue.length < 2) return world;
  const order = world.queue.map((c, i) => ({ c, i, m: message(c) }));
  order.sort((x, y) => x.m.from - y.m.from || x.m.to - y.m.to || x.i - y.i);
  return { locals: world.locals, global: world.global, queue: order.map((o) => o.c) };
}

/** Every placement obtained from `base` by reordering the actors within each group of positions. */
function* orderings(base: readonly number[], groups: readonly (readonly number[])[]): Generator<number[]> {
  if (groups.length === 0) {
    yield base.slice();
    return;
  }
  const [first, ...rest] = groups;
  const actors = first.map((p) => base[p]);
  for (const order of permutations(actors)) {
    const next = base.slice();
    first.forEach((p, k) => {
      next[p] = order[k];
    });
    yield* orderings(next, rest);
  }
}

function* permutations(xs: readonly number[]): Generator<number[]> {
  if (xs.length <= 1) {
    yield xs.slice();
    return;
  }
  for (let i = 0; i < xs.length; i++) {
    const rest = [...xs.slice(0, i), ...xs.slice(i + 1)];
    for (const p of permutations(rest)) yield [xs[i], ...p];
  }
}
