/**
 * The 64-bit fingerprint of a portable key without building it: each piece (an actor's local state, the shared
 * memory, a message) is hashed once from its portable text and cached by intern code (PieceHashes); a state's
 * fingerprint combines its pieces' hashes in the canonical order (actors by position, then the memory, then the
 * queue), a few integer operations a piece. Pieces are named by content, so the fingerprint is equal in every
 * process that built the same system, for equal orbits; distinct orbits differ unless two 64-bit hashes collide.
 * It is not the fingerprint of the portable key's text (explore/fingerprint.ts): the two are never mixed.
 */
import { fingerprint, fp } from '../explore/fingerprint';

/** Hashes of one kind of piece by intern code: [hi, lo] at [2c, 2c + 1]; computed from the piece's text on first use. */
export class PieceHashes {
  private readonly words: number[] = [];

  constructor(private readonly text: (code: number) => string) {}

  /** Feed the piece's two words to `into`. */
  addTo(code: number, into: WordHash): void {
    let h = this.words[2 * code];
    if (h === undefined) {
      fingerprint(this.text(code));
      h = this.words[2 * code] = fp[0];
      this.words[2 * code + 1] = fp[1];
    }
    into.add(h).add(this.words[2 * code + 1]);
  }
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
    this.a = 0x3c6ef372;
    this.b = 0xa54ff53a;
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
    const h = fmix(this.a ^ this.n);
    const l = fmix(this.b ^ Math.imul(h, 0x9e3779b1));
    out[0] = fmix(h ^ Math.imul(l, 0x85ebca77));
    out[1] = l === 0 && out[0] === 0 ? 1 : l;
  }
}
