/**
 * The 64-bit fingerprint of a portable key without building it: each piece (an actor's local state, the shared
 * memory, a message) is hashed once from its portable text and cached by intern code (PieceHashes); a state's
 * fingerprint combines its pieces' hashes in the canonical order (actors by position, then the memory, the queue's
 * length, then the queue), two multiplications a piece (`stepA`/`stepB`, one a lane), mixed at the end. Pieces
 * are named by content, so the fingerprint is equal in every process that built the same system, for equal
 * orbits; distinct orbits differ unless two 64-bit hashes collide. It is not the fingerprint of the portable
 * key's text (explore/fingerprint.ts): the two are never mixed.
 */
import { fingerprint, fp } from '../explore/fingerprint';

/** Hashes of one kind of piece by intern code (hi, lo words); computed from the piece's text on first use. */
export class PieceHashes {
  private his = new Uint32Array(64);
  private los = new Uint32Array(64);
  private known = new Uint8Array(64);
  /** Code by its hash's hi word; a second code with the same hi word goes to `clashes`, by both words. */
  private readonly byHi = new Map<number, number>();
  private readonly clashes = new Map<string, number>();

  /** `hashed` hears of each piece hashed here for the first time (bus/portable-codec.ts tells other threads its text). */
  constructor(
    private readonly text: (code: number) => string,
    private readonly hashed?: (h: number, l: number, text: string) => void,
  ) {}

  /** The piece's hi word (hashing it first if need be); `lo` is then known. */
  hi(code: number): number {
    return code < this.known.length && this.known[code] === 1 ? this.his[code] : this.hash(code);
  }

  /** The piece's lo word, once `hi` has been asked for this code. */
  lo(code: number): number {
    return this.los[code];
  }

  /** The piece's words pushed onto `out` (hashed first if need be). */
  pushTo(code: number, out: number[]): void {
    out.push(this.hi(code), this.los[code]);
  }

  /** The code whose piece hashes to (h, l), if this thread has hashed it. */
  codeOf(h: number, l: number): number | undefined {
    const c = this.byHi.get(h);
    if (c !== undefined && this.los[c] === l) return c;
    return this.clashes.get(`${h},${l}`);
  }

  private hash(code: number): number {
    if (code >= this.known.length) {
      let n = this.known.length * 2;
      while (n <= code) n *= 2;
      const his = new Uint32Array(n);
      const los = new Uint32Array(n);
      const known = new Uint8Array(n);
      his.set(this.his);
      los.set(this.los);
      known.set(this.known);
      this.his = his;
      this.los = los;
      this.known = known;
    }
    const text = this.text(code);
    fingerprint(text);
    const h = fp[0];
    const l = fp[1];
    this.his[code] = h;
    this.los[code] = l;
    this.known[code] = 1;
    if (this.byHi.has(h)) this.clashes.set(`${h},${l}`, code);
    else this.byHi.set(h, code);
    this.hashed?.(h, l, text);
    return h;
  }
}

/** The lanes' starting values (a state's fingerprint, and `WordHash`). */
export const SEED_A = 0x3c6ef372;
export const SEED_B = 0xa54ff53a;

/**
 * One step of the pieces' combination, lane by lane: a bijection of the lane for a fixed word and of the word
 * for a fixed lane, so two sequences of piece hashes that differ in one place always differ after it, and in
 * several places agree again with probability about 2^-32 a lane (the piece hashes being well mixed).
 */
export function stepA(a: number, w: number): number {
  a = Math.imul(a ^ w, 0x9e3779b1);
  return a ^ (a >>> 15);
}

export function stepB(b: number, w: number): number {
  b = Math.imul(b ^ w, 0x85ebca77);
  return b ^ (b >>> 13);
}

/** The two lanes after `n` words, cross-mixed into `out` ([hi, lo]); (0, 0) never occurs (it marks an empty slot). */
export function finish(a: number, b: number, n: number, out: Uint32Array): void {
  const h = fmix(a ^ n);
  const l = fmix(b ^ Math.imul(h, 0x9e3779b1));
  out[0] = fmix(h ^ Math.imul(l, 0x85ebca77));
  out[1] = l === 0 && out[0] === 0 ? 1 : l;
}

function fmix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A running 64-bit hash over 32-bit words: two MurmurHash3-style lanes, each fed every word, cross-mixed at the end. */
export class WordHash {
  private a = 0;
  private b = 0;
  private n = 0;

  start(): this {
    this.a = SEED_A;
    this.b = SEED_B;
    this.n = 0;
    return this;
  }

  add(w: number): this {
    let k = Math.imul(w, 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    this.a ^= k;
    this.a = (Math.imul((this.a << 13) | (this.a >>> 19), 5) + 0xe6546b64) | 0;
    let m = Math.imul(w ^ 0x5bd1e995, 0x27d4eb2f);
    m = Math.imul((m << 17) | (m >>> 15), 0x165667b1);
    this.b ^= m;
    this.b = (Math.imul((this.b << 11) | (this.b >>> 21), 9) + 0x7feb352d) | 0;
    this.n++;
    return this;
  }

  /** Finish into `out` ([hi, lo]); (0, 0) never occurs (it marks an empty slot). */
  end(out: Uint32Array): void {
    finish(this.a, this.b, this.n, out);
  }
}
