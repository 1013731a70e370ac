/**
 * Exact canonical form under symmetry: a state and every permutation of its interchangeable actors (actors
 * of one symmetry class, running one machine) get the same key, and states of different orbits get
 * different keys. Senders and receivers inside pending messages are permuted with the actors.
 *
 * Method: each member gets a signature that no permutation changes (its local state and, per channel,
 * the ordered events it holds, with symmetric counterparts named by class only); members are sorted by
 * it. Members that tie and exchange messages with symmetric actors are told apart only by which partner
 * is which, so every order of such ties is tried and the least key wins. Ties without such messages are
 * identical actors: any order gives the same state.
 */
import { InternalError } from '../util/errors';
import { encodeWorld, type World } from './key';

export interface Channelled {
  readonly from: number;
  readonly to: number;
  readonly eventKey: string;
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
  private signature(world: World, i: number): { sig: string; talks: boolean } {
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
    return { sig: world.locals[i] + '\u0004' + parts.join('\u0001'), talks };
  }

  /** The representative of the state's orbit. */
  canonical(world: World): World {
    if (this.classes.length === 0) return sortChannels(world, this.message);
    const base = world.locals.map((_, i) => i); // base[position] = actor placed there
    const ambiguous: number[][] = []; // groups of positions whose order must be enumerated
    for (const cls of this.classes) {
      const sigs = cls.map((i) => ({ i, ...this.signature(world, i) }));
      sigs.sort((a, b) => (a.sig < b.sig ? -1 : a.sig > b.sig ? 1 : a.i - b.i));
      cls.forEach((pos, k) => {
        base[pos] = sigs[k].i;
      });
      for (let k = 0; k < sigs.length; ) {
        let e = k + 1;
        while (e < sigs.length && sigs[e].sig === sigs[k].sig) e++;
        if (e - k > 1 && sigs[k].talks) ambiguous.push(cls.slice(k, e));
        k = e;
      }
    }
    if (ambiguous.length === 0) return this.permute(world, base);
    let best: World | null = null;
    let bestKey = '';
    let tried = 0;
    for (const perm of orderings(base, ambiguous)) {
      if (++tried > MAX_ORDERINGS) throw new InternalError(`symmetry: more than ${MAX_ORDERINGS} orderings of tied actors in one state`);
      const w = this.permute(world, perm);
      const k = encodeWorld(w);
      if (best === null || k < bestKey) {
        best = w;
        bestKey = k;
      }
    }
    return best ?? world;
  }

  /** The state with the actor at `perm[p]` moved to position p, messages renamed with them. */
  private permute(world: World, perm: readonly number[]): World {
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
