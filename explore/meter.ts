/**
 * What a budget reads of the process it runs in. The core knows no process: a front end passes the
 * Node meter (api/node-meter.ts); without one there is no memory limit and 0 MB is reported.
 */
export interface MemoryMeter {
  /** JS heap in use, in bytes (checked against --max-memory). */
  heapUsed(): number;
  /** This isolate's heap limit, in bytes (the default --max-memory is a share of it). */
  heapLimit(): number;
  /** Resident set size, in bytes (reported as peakMemoryMB). */
  rss(): number;
}

/** No process to read: an unlimited heap that never fills. */
export const noMeter: MemoryMeter = { heapUsed: () => 0, heapLimit: () => Number.POSITIVE_INFINITY, rss: () => 0 };
