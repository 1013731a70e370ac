/**
 * A level of the bfs on worker threads, in shared memory: each worker appends the states it inserted first to a
 * segment of its own (records of 32-bit words, written by that worker alone), and at the next level every worker
 * reads every segment, claiming states a few at a time from one shared cursor. So no state is ever sent from one
 * worker to another, and a worker runs out of work only when the level does. The records' meaning is the caller's.
 */
import { InternalError } from '../util/errors';

/** One worker's segment as the other threads see it: its words, where each record starts, and how many records. */
export interface SegmentBuffers {
  readonly words: SharedArrayBuffer;
  readonly starts: SharedArrayBuffer;
  readonly count: number;
}

/** A segment being written: grown by copying into larger shared buffers (nobody reads it until the level ends). */
export class SegmentWriter {
  private words: Uint32Array<SharedArrayBuffer> = new Uint32Array(new SharedArrayBuffer(4 * 1024));
  private starts: Uint32Array<SharedArrayBuffer> = new Uint32Array(new SharedArrayBuffer(4 * 256));
  private used = 0;
  count = 0;

  /** Forget the records (their buffers are reused: the level that read them is over). */
  clear(): void {
    this.used = 0;
    this.count = 0;
  }

  /** Append the record `words[from, to)`. */
  push(words: ArrayLike<number>, from: number, to: number): void {
    const n = to - from;
    if (this.used + n > this.words.length) this.words = grown(this.words, this.used + n);
    if (this.count + 2 > this.starts.length) this.starts = grown(this.starts, this.count + 2);
    for (let i = 0; i < n; i++) this.words[this.used + i] = words[from + i];
    this.starts[this.count++] = this.used;
    this.used += n;
    this.starts[this.count] = this.used;
  }

  get bytes(): number {
    return this.words.byteLength + this.starts.byteLength;
  }

  buffers(): SegmentBuffers {
    return { words: this.words.buffer, starts: this.starts.buffer, count: this.count };
  }
}

function grown(a: Uint32Array<SharedArrayBuffer>, need: number): Uint32Array<SharedArrayBuffer> {
  let n = a.length * 2;
  while (n < need) n *= 2;
  const b = new Uint32Array(new SharedArrayBuffer(4 * n));
  b.set(a);
  return b;
}

/** A level read by index across every worker's segment (in worker order): `locate(i)` sets `words` and `at`. */
export class LevelReader {
  readonly size: number;
  private readonly segments: { words: Uint32Array; starts: Uint32Array; first: number; count: number }[];
  words: Uint32Array = new Uint32Array(0);
  at = 0;

  constructor(segments: readonly SegmentBuffers[]) {
    let first = 0;
    this.segments = segments.map((s) => {
      const seg = { words: new Uint32Array(s.words), starts: new Uint32Array(s.starts), first, count: s.count };
      first += s.count;
      return seg;
    });
    this.size = first;
  }

  /** Point `words` and `at` at record `i` of the level (its length is the caller's to know). */
  locate(i: number): void {
    for (const s of this.segments) {
      if (i < s.first + s.count) {
        const j = i - s.first;
        this.words = s.words;
        this.at = s.starts[j];
        return;
      }
    }
    throw new InternalError(`level reader: record ${i} of ${this.size}`);
  }
}
