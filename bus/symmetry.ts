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
  /** A short string ordering codes by a hash of their content, ending in a separator: equal content, equal tag. */
  tag(actor: number, code: number): string;
  /** A total order of two codes by content (for equal tags); 0 only for equal codes. */
  compare(actor: number, a: number, b: number): number;
}

interface Sig {
  readonly i: number;
  readonly sig: string;
  readonly code: number;
  readonly talks: boolean;
}

interface SigTrie {
  sig?: Sig;
  readonly next: Map<number, SigTrie>;
}

/** More orderings than this for one state means a symmetry class too large to canonicalise exactly by enumeration. */
const MAX_ORDERINGS = 40_320;

export class Symmetry {
  /** Per actor: the messages it sends or receives in the state being canonicalised, if `mineStamp` is `stamp` (`byMember`). */
  private readonly mine: number[][];
  private readonly mineStamp: number[];
  private stamp = 0;
  /** Class number of each actor, -1 for actors without a class. */
  private readonly classOf: number[];
  /** Per class, per local-state code: signatures along a trie of message code * 3 + side (`signature`). */
  private readonly sigs: SigTrie[][] = [];
  /** `canonical`'s scratch, reused from state to state: the placement, tied groups, groups in order, group objects. */
  private readonly base: number[];
  private readonly ambiguous: number[][] = [];
  private readonly groups: { s: Sig; members: number[]; size: number }[] = [];

  constructor(
    actorCount: number,
    /** Symmetry classes of two or more actor indices, each sorted. */
    readonly classes: readonly (readonly number[])[],
    private readonly message: (code: number) => Channelled,
    private readonly renamed: (code: number, from: number, to: number) => number,
    private readonly order: LocalOrder,
  ) {
    this.classOf = Array.from({ length: actorCount }, () => -1);
    this.mine = Array.from({ length: actorCount }, () => []);
    this.base = Array.from({ length: actorCount }, (_, i) => i);
    this.mineStamp = new Array<number>(actorCount).fill(0);
    classes.forEach((c, k) => {
      for (const a of c) this.classOf[a] = k;
    });
  }

  private tag(actor: number): string {
    const k = this.classOf[actor];
    return k < 0 ? String(actor) : `*${k}`;
  }

  /**
   * Per member: a permutation-invariant signature (from the messages it sends or receives), and whether it talks to
   * symmetric actors. Memoised per class and local state along a trie of the member's messages (code and the
   * member's side of each), which they follow from; the first member met is kept as `i`, which only names the
   * machine for content order. So the common members (no message, or one) cost an array read and a map lookup.
   */
  private signature(i: number, code: number, mine: readonly number[] | undefined): Sig {
    this.sigs[this.classOf[i]] ??= [];
    const roots = this.sigs[this.classOf[i]];
    roots[code] ??= { next: new Map() };
    let node = roots[code];
    for (let k = 0; mine !== undefined && k < mine.length; k++) {
      const c = mine[k];
      const m = this.message(c);
      const key = c * 3 + (m.from === m.to ? 0 : m.to === i ? 1 : 2);
      let next = node.next.get(key);
      if (next === undefined) {
        next = { next: new Map() };
        node.next.set(key, next);
      }
      node = next;
    }
    node.sig ??= this.signatureOf(i, code, mine ?? []);
    return node.sig;
  }

  private signatureOf(i: number, code: number, mine: readonly number[]): Sig {
    const tag = this.order.tag(i, code);
    // One list per channel (per actual partner, so two partners' messages never interleave); partners are named by class.
    const channels = new Map<string, { name: string; events: string[] }>();
    let talks = false;
    for (const c of mine) {
      const m = this.message(c);
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
    const parts = [...channels.values()].map((ch) => `${ch.name}\u0002${ch.events.join('\u0003')}`).sort();
    return { i, sig: tag + parts.join('\u0001'), code, talks };
  }

  /**
   * The queue's messages by the class members that send or receive them, oldest first: `mineOf(a)` until the next
   * call (lists reused from state to state, told current by a stamp).
   */
  private byMember(queue: readonly number[]): void {
    this.stamp++;
    const add = (a: number, c: number) => {
      if (this.classOf[a] < 0) return;
      if (this.mineStamp[a] === this.stamp) this.mine[a].push(c);
      else {
        this.mineStamp[a] = this.stamp;
        this.mine[a] = [c];
      }
    };
    for (const c of queue) {
      const m = this.message(c);
      add(m.from, c);
      if (m.to !== m.from) add(m.to, c);
    }
  }

  private mineOf(a: number): readonly number[] | undefined {
    return this.mineStamp[a] === this.stamp ? this.mine[a] : undefined;
  }

  /** The representative of the state's orbit. */
  canonical(world: World): World {
    if (this.classes.length === 0) return sortChannels(world, this.message);
    // base[position] = actor placed there; ambiguous: groups of positions whose order must be enumerated (both reused).
    const base = this.base;
    for (let i = 0; i < base.length; i++) base[i] = i;
    const ambiguous = this.ambiguous;
    if (ambiguous.length > 0) ambiguous.length = 0;
    this.byMember(world.queue);
    for (const cls of this.classes) this.place(cls, world, base, ambiguous);
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

  /**
   * Sort one class's members by signature into `base` (equal signatures: by actor index), adding groups of
   * tied members that talk to symmetric actors to `ambiguous`. Members are grouped by signature first (most
   * share one), so only distinct signatures are sorted.
   */
  private place(cls: readonly number[], world: World, base: number[], ambiguous: number[][]): void {
    // Groups of equal signature and code (equal signatures with different codes: a hash collision of two contents,
    // kept apart and ordered by content below), found by a scan: a few groups. The group objects and their member
    // arrays are reused with counts (setting an array's length to 0 frees its storage, so the next push allocates).
    const groups = this.groups;
    let n = 0;
    for (let c = 0; c < cls.length; c++) {
      const i = cls[c];
      const s = this.signature(i, world.locals[i], this.mineOf(i));
      let k = 0;
      while (k < n && (groups[k].s.sig !== s.sig || groups[k].s.code !== s.code)) k++;
      if (k === n) {
        if (n === groups.length) groups.push({ s, members: [], size: 0 });
        groups[n].s = s;
        groups[n].size = 0;
        n++;
      }
      const g = groups[k];
      g.members[g.size++] = i;
    }
    // Insertion sort: a few groups, and Array.prototype.sort copies its array on every call.
    for (let a = 1; a < n; a++) {
      const x = groups[a];
      let b = a - 1;
      for (; b >= 0 && this.bySignature(groups[b].s, x.s) > 0; b--) groups[b + 1] = groups[b];
      groups[b + 1] = x;
    }
    let p = 0;
    for (let k = 0; k < n; k++) {
      const g = groups[k];
      if (g.size > 1 && g.s.talks) ambiguous.push(cls.slice(p, p + g.size));
      for (let m = 0; m < g.size; m++) base[cls[p++]] = g.members[m];
    }
  }

  private bySignature(a: Sig, b: Sig): number {
    return a.sig < b.sig ? -1 : a.sig > b.sig ? 1 : this.order.compare(a.i, a.code, b.code);
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
  if (world.queue.length < 2 || channelsSorted(world.queue, message)) return world;
  const order = world.queue.map((c, i) => ({ c, i, m: message(c) }));
  order.sort((x, y) => x.m.from - y.m.from || x.m.to - y.m.to || x.i - y.i);
  return { locals: world.locals, global: world.global, queue: order.map((o) => o.c) };
}

/** Whether the queue is already in channel order (the common case: no allocation then). */
function channelsSorted(queue: readonly number[], message: (code: number) => Channelled): boolean {
  let m = message(queue[0]);
  for (let i = 1; i < queue.length; i++) {
    const n = message(queue[i]);
    if (n.from < m.from || (n.from === m.from && n.to < m.to)) return false;
    m = n;
  }
  return true;
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
