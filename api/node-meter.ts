/** The Node process's memory, for the run budget (explore/meter.ts): V8 heap statistics and resident set size. */
import { getHeapStatistics } from 'node:v8';
import type { MemoryMeter } from '../explore/meter';

export const nodeMeter: MemoryMeter = {
  heapUsed: () => getHeapStatistics().used_heap_size,
  heapLimit: () => getHeapStatistics().heap_size_limit,
  rss: () => process.memoryUsage.rss(),
};
