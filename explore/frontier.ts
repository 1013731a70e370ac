/**
 * The states still to expand, as keys with their depth. FIFO gives breadth-first (shortest counterexample),
 * LIFO depth-first. Entries live in segments of 2^16; with a SpillStore, segments beyond `keepInMemory`
 * entries are written out and read back when the search reaches them, so a frontier wider than memory
 * still fits (the FIFO keeps the segments nearest the head in memory, the LIFO those nearest the top).
 */
import { decodeEntries, encodeEntries, type SpillStore } from './spill';
import { present } from '../util/errors';

export interface FrontierEntry {
  key: string;
  depth: number;
}

export interface Frontier {
  push(key: string, depth: number): void;
  pop(): FrontierEntry | undefined;
  readonly size: number;
  /** Entries written to the spill store so far. */
  readonly spilled: number;
}

export interface SpillOptions {
  store: SpillStore;
  /** Frontier entries kept in memory before segments spill (default 2^22). */
  keepInMemory?: number;
}

const SEGMENT = 1 << 16;

/** Segment size: 2^16, smaller for a small in-memory budget so that it still spills (a quarter of the budget, at least 4). */
function segmentFor(spill: SpillOptions | undefined): number {
  const keep = spill?.keepInMemory;
  return keep === undefined ? SEGMENT : Math.max(4, Math.min(SEGMENT, Math.floor(keep / 4)));
}

interface Segment {
  keys: string[];
  depths: number[];
}

const empty = (): Segment => ({ keys: [], depths: [] });

/** Segments in memory or spilled (a block id), with the accounting both frontiers share. */
class SegmentStore {
  inMemory = 0;
  spilled = 0;
  private readonly limit: number;

  constructor(
    private readonly spill: SpillOptions | undefined,
    segment: number,
  ) {
    this.limit = spill ? Math.max(spill.keepInMemory ?? 1 << 22, segment) : Infinity;
  }

  park(seg: Segment): Segment | number {
    if (!this.spill || this.inMemory + seg.keys.length <= this.limit) {
      this.inMemory += seg.keys.length;
      return seg;
    }
    this.spilled += seg.keys.length;
    return this.spill.store.write(encodeEntries(seg.keys, seg.depths));
  }

  unpark(ref: Segment | number): Segment {
    if (typeof ref !== 'number') {
      this.inMemory -= ref.keys.length;
      return ref;
    }
    return decodeEntries(present(this.spill, 'spill store of a spilled segment').store.read(ref));
  }
}

/** What both frontiers share: the segment size, the segment store and the count. */
abstract class SegmentedFrontier implements Frontier {
  protected count = 0;
  protected readonly segs: SegmentStore;
  protected readonly segment: number;

  constructor(spill?: SpillOptions) {
    this.segment = segmentFor(spill);
    this.segs = new SegmentStore(spill, this.segment);
  }

  abstract push(key: string, depth: number): void;
  abstract pop(): FrontierEntry | undefined;

  /** Add an entry to the segment being filled. */
  protected append(seg: Segment, key: string, depth: number): void {
    seg.keys.push(key);
    seg.depths.push(depth);
    this.count++;
  }

  get size(): number {
    return this.count;
  }

  get spilled(): number {
    return this.segs.spilled;
  }
}

export class FifoFrontier extends SegmentedFrontier {
  private head: Segment = empty();
  private at = 0;
  private tail: Segment = empty();
  private readonly queue: (Segment | number)[] = [];
  private qHead = 0;

  push(key: string, depth: number): void {
    this.append(this.tail, key, depth);
    if (this.tail.keys.length === this.segment) {
      this.queue.push(this.segs.park(this.tail));
      this.tail = empty();
    }
  }

  pop(): FrontierEntry | undefined {
    if (this.at === this.head.keys.length) {
      if (this.qHead < this.queue.length) {
        this.head = this.segs.unpark(this.queue[this.qHead]);
        this.queue[this.qHead++] = 0;
        if (this.qHead > 1024 && this.qHead * 2 > this.queue.length) {
          this.queue.splice(0, this.qHead);
          this.qHead = 0;
        }
      } else if (this.tail.keys.length) {
        this.head = this.tail;
        this.tail = empty();
      } else return undefined;
      this.at = 0;
    }
    this.count--;
    const i = this.at++;
    return { key: this.head.keys[i], depth: this.head.depths[i] };
  }
}

export class LifoFrontier extends SegmentedFrontier {
  /** Holds up to two segments; when full, its bottom half moves to the stack, so push/pop at a boundary cannot thrash. */
  private top: Segment = empty();
  private readonly stack: (Segment | number)[] = [];

  push(key: string, depth: number): void {
    this.append(this.top, key, depth);
    if (this.top.keys.length === 2 * this.segment) {
      const bottom = { keys: this.top.keys.splice(0, this.segment), depths: this.top.depths.splice(0, this.segment) };
      this.stack.push(this.segs.park(bottom));
    }
  }

  pop(): FrontierEntry | undefined {
    if (this.top.keys.length === 0) {
      const ref = this.stack.pop();
      if (ref === undefined) return undefined;
      this.top = this.segs.unpark(ref);
    }
    this.count--;
    const key = present(this.top.keys.pop(), 'key of a counted frontier entry');
    return { key, depth: present(this.top.depths.pop(), 'depth of a counted frontier entry') };
  }
}
