/**
 * Rebuilding states from portable keys, fast, for the Redis bfs workers (the thread workers share piece words
 * instead, bus/portable-codec.ts `fromPieceWords`): a portable key (bus/portable.ts:
 * `{"l":[local texts],"a":[index per actor],"g":memory,"q":[[from,to,event]…]}`) is cut into its pieces' texts,
 * and each piece's intern code is looked up by its text. A key with a piece never seen goes through the engine's
 * own `fromPortableKey` (about 100 µs: it parses and re-serialises every piece), which also teaches the codes of
 * its pieces. Anything unexpected in the text takes that path too, so a change of the format costs speed, not
 * correctness.
 */
import type { World } from '../bus/key';

/** The index just past the JSON value starting at `i` (strings, arrays, objects, scalars), or -1. */
function valueEnd(s: string, i: number): number {
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 34) {
      // A string: skip to its closing quote, escapes included.
      for (j++; j < s.length && s.charCodeAt(j) !== 34; j++) if (s.charCodeAt(j) === 92) j++;
      if (depth === 0) return j + 1;
    } else if (c === 91 || c === 123) depth++;
    else if (c === 93 || c === 125) {
      if (depth === 0) return j;
      if (--depth === 0) return j + 1;
    } else if (depth === 0 && c === 44) return j;
  }
  return depth === 0 ? s.length : -1;
}

/** The texts of the elements of the JSON array starting at `i` (at its '['), and the index past it; null if malformed. */
function elements(s: string, i: number): { items: string[]; end: number } | null {
  if (s.charCodeAt(i) !== 91) return null;
  const items: string[] = [];
  let j = i + 1;
  if (s.charCodeAt(j) === 93) return { items, end: j + 1 };
  for (;;) {
    const e = valueEnd(s, j);
    if (e < 0) return null;
    items.push(s.slice(j, e));
    const c = s.charCodeAt(e);
    if (c === 93) return { items, end: e + 1 };
    if (c !== 44) return null;
    j = e + 1;
  }
}

interface Pieces {
  locals: string[];
  global: string;
  queue: string[];
}

/** A portable key's pieces as texts, or null if the text is not in the expected form. */
export function portablePieces(key: string, actors: number): Pieces | null {
  if (!key.startsWith('{"l":')) return null;
  const l = elements(key, 5);
  if (!l || !key.startsWith(',"a":', l.end)) return null;
  const a = elements(key, l.end + 5);
  if (!a || a.items.length !== actors || !key.startsWith(',"g":', a.end)) return null;
  const gEnd = valueEnd(key, a.end + 5);
  if (gEnd < 0 || !key.startsWith(',"q":', gEnd)) return null;
  const q = elements(key, gEnd + 5);
  if (!q || q.end !== key.length - 1 || key.charCodeAt(key.length - 1) !== 125) return null;
  const locals: string[] = [];
  for (const x of a.items) {
    const n = Number(x);
    if (!Number.isInteger(n) || n < 0 || n >= l.items.length) return null;
    locals.push(l.items[n]);
  }
  return { locals, global: key.slice(a.end + 5, gEnd), queue: q.items };
}

/** Rebuilds engine states from portable keys, learning each piece's intern code from the engine's own decoding. */
export class PortableDecoder {
  private readonly locals: Map<string, number>[];
  private readonly globals = new Map<string, number>();
  private readonly messages = new Map<string, number>();

  constructor(
    private readonly engine: { fromPortableKey(key: string): World },
    private readonly actors: number,
  ) {
    this.locals = Array.from({ length: actors }, () => new Map());
  }

  decode(key: string): World {
    const p = portablePieces(key, this.actors);
    if (p) {
      const w = this.lookup(p);
      if (w) return w;
    }
    const w = this.engine.fromPortableKey(key);
    if (p && p.queue.length === w.queue.length) this.learn(p, w);
    return w;
  }

  private lookup(p: Pieces): World | null {
    const locals: number[] = [];
    for (let a = 0; a < this.actors; a++) {
      const c = this.locals[a].get(p.locals[a]);
      if (c === undefined) return null;
      locals.push(c);
    }
    const global = this.globals.get(p.global);
    if (global === undefined) return null;
    const queue: number[] = [];
    for (const t of p.queue) {
      const c = this.messages.get(t);
      if (c === undefined) return null;
      queue.push(c);
    }
    return { locals, global, queue };
  }

  private learn(p: Pieces, w: World): void {
    for (let a = 0; a < this.actors; a++) this.locals[a].set(p.locals[a], w.locals[a]);
    this.globals.set(p.global, w.global);
    for (const [i, t] of p.queue.entries()) this.messages.set(t, w.queue[i]);
  }
}
