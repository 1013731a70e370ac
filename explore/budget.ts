/**
 * What a search may spend: states, seconds, heap memory, and an interrupt (Ctrl-C relayed by a front end).
 * One budget spans a whole run (search, lasso pass, shrinking); every loop asks it once per expansion.
 */
import { type MemoryMeter, noMeter } from './meter';

export type StopReason = 'max-states' | 'max-seconds' | 'max-memory' | 'interrupted';

export interface BudgetLimits {
  /** Stop once this many distinct states are stored (exactly: checked per new state). */
  maxStates?: number;
  maxSeconds?: number;
  /** Stop once the JS heap in use passes this many MB. Default: DEFAULT_MEMORY_SHARE of the heap limit. */
  maxMemoryMB?: number;
  /** Set from outside (another thread, a signal relay); read once per expansion. */
  interrupt?: { readonly aborted: boolean };
  /** How heap and resident memory are read (a front end passes the Node meter); default: not at all. */
  meter?: MemoryMeter;
}

export interface Progress {
  states: number;
  statesPerSecond: number;
  depth: number;
  frontier: number;
  seconds: number;
}

/**
 * Half the heap limit: a hash table that grows allocates its new backing store while the old one is
 * still alive, so the heap briefly needs about twice the table; the report (trace, JSON) needs room too.
 */
export const DEFAULT_MEMORY_SHARE = 0.5;

const MB = 1024 * 1024;

/** The default --max-memory: a share of this isolate's heap limit, in MB. */
export function defaultMaxMemoryMB(meter: MemoryMeter = noMeter): number {
  return Math.floor((meter.heapLimit() * DEFAULT_MEMORY_SHARE) / MB);
}

export class Budget {
  /** Why the run stopped, once it did: the first limit reached wins and stays. */
  stopped: StopReason | null = null;
  readonly maxMemoryMB: number;
  private readonly t0 = performance.now();
  private ticks = 0;
  private peakHeap = 0;
  private peakRss: number;
  private readonly meter: MemoryMeter;
  private lastProgress = this.t0;

  constructor(
    private readonly limits: BudgetLimits = {},
    private readonly onProgress?: (p: Progress) => void,
  ) {
    this.meter = limits.meter ?? noMeter;
    this.maxMemoryMB = limits.maxMemoryMB ?? defaultMaxMemoryMB(this.meter);
    this.peakRss = this.meter.rss();
  }

  /** Sample the resident set size (what the stats report as peakMemoryMB). */
  sampleRss(): void {
    const r = this.meter.rss();
    if (r > this.peakRss) this.peakRss = r;
  }

  /** Peak resident memory seen so far, in MB, sampling once more. */
  get peakMemoryMB(): number {
    this.sampleRss();
    return Math.round(this.peakRss / MB);
  }

  get seconds(): number {
    return (performance.now() - this.t0) / 1000;
  }

  /** Peak JS heap in use seen by the checks, in MB. */
  get peakHeapMB(): number {
    return Math.round(this.peakHeap / MB);
  }

  /** Before storing a new state: true once `states` are stored and no more may be (then call stop). */
  atStateLimit(states: number): boolean {
    return this.limits.maxStates !== undefined && states >= this.limits.maxStates;
  }

  /** Record why the run stops (the first reason stays) and return it. */
  stop(why: StopReason): StopReason {
    this.stopped ??= why;
    return this.stopped;
  }

  /** Per expansion: the interrupt, then every 16th call the clock, every 1024th the heap. */
  check(): StopReason | null {
    if (this.stopped) return this.stopped;
    if (this.limits.interrupt?.aborted) return this.stop('interrupted');
    const t = ++this.ticks;
    if ((t & 15) === 0 && this.limits.maxSeconds !== undefined && this.seconds >= this.limits.maxSeconds) return this.stop('max-seconds');
    if ((t & 1023) === 0) {
      const used = this.meter.heapUsed();
      if (used > this.peakHeap) this.peakHeap = used;
      if (used > this.maxMemoryMB * MB) return this.stop('max-memory');
    }
    return null;
  }

  /** About once a second, tell the front end how far the search is. */
  progress(states: number, depth: number, frontier: number): void {
    if (!this.onProgress || (this.ticks & 255) !== 0) return;
    const now = performance.now();
    if (now - this.lastProgress < 1000) return;
    this.lastProgress = now;
    const s = (now - this.t0) / 1000;
    this.onProgress({ states, statesPerSecond: Math.round(states / s), depth, frontier, seconds: s });
  }
}
