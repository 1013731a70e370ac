/**
 * A whole-system state as a compact string: one character per small number (a varint over UTF-16 code
 * units, never a surrogate). The numbers are codes of interned local states, shared memories and
 * messages; with their dictionaries (bus/engine.ts) a key is self-contained, so a frontier or a visited
 * set can hold keys alone and be partitioned by key.
 */
export interface World {
  /** Interned local-state code of each actor, by actor index. */
  readonly locals: readonly number[];
  /** Interned shared-memory code. */
  readonly global: number;
  /** Interned message codes, oldest first. */
  readonly queue: readonly number[];
}

const LOW = 0x4000; // codes below are one unit; above, 14 bits a unit with the 0x8000 bit as "more"

function push(out: number[], n: number): void {
  while (n >= LOW) {
    out.push(0x8000 | (n & 0x3fff));
    n = Math.floor(n / LOW);
  }
  out.push(n);
}

export function encodeWorld(w: World): string {
  const out: number[] = [];
  for (const l of w.locals) push(out, l);
  push(out, w.global);
  push(out, w.queue.length);
  for (const m of w.queue) push(out, m);
  return String.fromCharCode(...out);
}

export function decodeWorld(key: string, actorCount: number): World {
  let i = 0;
  const read = (): number => {
    let n = 0;
    let mul = 1;
    for (;;) {
      const c = key.charCodeAt(i++);
      if (c & 0x8000) {
        n += (c & 0x3fff) * mul;
        mul *= LOW;
      } else return n + c * mul;
    }
  };
  const locals: number[] = [];
  for (let a = 0; a < actorCount; a++) locals.push(read());
  const global = read();
  const n = read();
  const queue: number[] = [];
  for (let q = 0; q < n; q++) queue.push(read());
  return { locals, global, queue };
}
