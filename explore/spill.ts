/**
 * Where a large frontier spills: blocks of encoded states written once and read back once. The search
 * core never touches files; front ends inject a store (api/file-spill.ts writes blocks to a directory).
 */
export interface SpillStore {
  /** Keep a block; returns its id. */
  write(block: Uint8Array): number;
  /** Return a block and forget it. */
  read(id: number): Uint8Array;
  /** Forget every block (and any file behind them). */
  close(): void;
}

/** A store in memory: for tests, and to exercise spilling without a disk. */
export class MemorySpillStore implements SpillStore {
  private readonly blocks = new Map<number, Uint8Array>();
  private next = 0;
  /** Blocks written so far. */
  writes = 0;

  write(block: Uint8Array): number {
    this.blocks.set(this.next, block.slice());
    this.writes++;
    return this.next++;
  }

  read(id: number): Uint8Array {
    const b = this.blocks.get(id);
    if (!b) throw new RangeError(`spill block ${id} is not there`);
    this.blocks.delete(id);
    return b;
  }

  close(): void {
    this.blocks.clear();
  }
}

/** Frontier entries as one block: per entry its depth, key length (32 bits each, as 2 code units) and key code units. */
export function encodeEntries(keys: readonly string[], depths: readonly number[]): Uint8Array {
  let units = 2;
  for (const k of keys) units += 4 + k.length;
  const out = new Uint16Array(units);
  const put32 = (at: number, n: number) => {
    out[at] = n & 0xffff;
    out[at + 1] = n >>> 16;
  };
  put32(0, keys.length);
  let at = 2;
  keys.forEach((k, i) => {
    put32(at, depths[i]);
    put32(at + 2, k.length);
    at += 4;
    for (let c = 0; c < k.length; c++) out[at++] = k.charCodeAt(c);
  });
  return new Uint8Array(out.buffer);
}

export function decodeEntries(raw: Uint8Array): { keys: string[]; depths: number[] } {
  const block = raw.byteOffset % 2 ? raw.slice() : raw; // a Uint16Array view needs an even offset
  const u = new Uint16Array(block.buffer, block.byteOffset, block.byteLength >>> 1);
  const get32 = (at: number) => u[at] + u[at + 1] * 0x10000;
  const n = get32(0);
  const keys: string[] = [];
  const depths: number[] = [];
  let at = 2;
  for (let i = 0; i < n; i++) {
    depths.push(get32(at));
    const len = get32(at + 2);
    at += 4;
    // Chunked: String.fromCharCode.apply has an argument-count limit.
    let k = '';
    for (let c = 0; c < len; c += 4096) k += String.fromCharCode(...u.subarray(at + c, at + Math.min(len, c + 4096)));
    keys.push(k);
    at += len;
  }
  return { keys, depths };
}
