/** Peak resident memory, sampled: what the stats report as peakMemoryMB. */
export class PeakMemory {
  private peak = process.memoryUsage.rss();

  sample(): void {
    const r = process.memoryUsage.rss();
    if (r > this.peak) this.peak = r;
  }

  get mb(): number {
    this.sample();
    return Math.round(this.peak / 1048576);
  }
}
