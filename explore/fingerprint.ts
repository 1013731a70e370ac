/**
 * 64-bit fingerprints of canonical state keys, as SPIN's hash compaction and TLC's fingerprint sets:
 * two 32-bit MurmurHash3-style lanes over the key's UTF-16 code units, finalised and cross-mixed. Not
 * cryptographic; the collision bound below assumes it behaves as a uniform 64-bit hash on our keys.
 */

/** Scratch output of `fingerprint`: [high 32 bits, low 32 bits]; (0, 0) never occurs (it marks an empty slot). */
export const fp = new Uint32Array(2);

function fmix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Fingerprint `key` into `fp` (no allocation: this runs once per transition). */
export function fingerprint(key: string): void {
  let a = 0x9747b28c;
  let b = 0x1b873593 ^ key.length;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    let k = Math.imul(c, 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    a ^= k;
    a = (Math.imul((a << 13) | (a >>> 19), 5) + 0xe6546b64) | 0;
    let m = Math.imul(c ^ 0x5bd1e995, 0x27d4eb2f);
    m = Math.imul((m << 17) | (m >>> 15), 0x165667b1);
    b ^= m;
    b = (Math.imul((b << 11) | (b >>> 21), 9) + 0x7feb352d) | 0;
  }
  const h = fmix(a ^ key.length);
  const l = fmix(b ^ Math.imul(h, 0x9e3779b1));
  fp[0] = fmix(h ^ Math.imul(l, 0x85ebca77));
  fp[1] = l === 0 && fp[0] === 0 ? 1 : l;
}

/**
 * Probability that two of `n` distinct states share a fingerprint (the birthday bound n(n-1)/2 / 2^64):
 * only then can a state be wrongly taken as visited, so it bounds the chance that the search missed any
 * state at all.
 */
export function collisionProbability(n: number): number {
  return -Math.expm1(-(n * (n - 1)) / 2 ** 65);
}
