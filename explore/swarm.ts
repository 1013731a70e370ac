/**
 * A swarm of random/PCT runs (SPIN's swarm verification, Holzmann et al. 2011, with seeds instead of
 * search options): seeds base, base+1, … handed out in order to whichever runner is free. The lowest
 * violating seed wins: once seed i violates, no seed above i starts (those running are cancelled), and
 * every seed below i still runs to its end, since one of them may violate too. So the winner, its
 * shrunk trace and the summed figures of the seeds up to it depend on the base seed and the seed count
 * only, never on the number of runners or their timing. Runners are injected (worker threads, Redis).
 */
import type { SearchResult, Stats } from './result';

/** Runs one seed to its end (the seed's `walks` random or PCT runs, shrinking any violation). */
export interface SeedRunner<R extends SearchResult = SearchResult> {
  /** Seeds it can run at once. */
  readonly parallel: number;
  run(seed: number): Promise<R>;
  /** Stop a seed whose result no longer matters; its `run` may reject. */
  cancel(seed: number): void;
}

export type SwarmOutcome<R extends SearchResult = SearchResult> = SearchResult & {
  /** The results that count (seeds up to the winner, or all), by seed order. */
  results: R[];
  /** The seed whose run found the violation, if any. */
  foundBySeed: number | null;
  /** Seeds whose result counts (all of them, or those up to the winner). */
  seedsRun: number;
};

export async function swarm<R extends SearchResult>(runner: SeedRunner<R>, base: number, count: number, started = performance.now()): Promise<SwarmOutcome<R>> {
  const results: (R | undefined)[] = new Array(count);
  let next = 0;
  let best = count;
  const running = new Set<number>();
  let failure: unknown = null;
  // A seed stopped by the time limit stops the hand-out: the deadline is the swarm's, not a seed's.
  let halted = false;

  const lane = async (): Promise<void> => {
    while (next < best && failure === null && !halted) {
      const i = next++;
      running.add(i);
      try {
        const r = await runner.run(base + i);
        if (i < best) results[i] = r;
        if (r.result === 'incomplete' && r.stoppedBy === 'max-seconds') halted = true;
        if (r.result === 'violation' && i < best) {
          best = i;
          for (const j of running) if (j > i) runner.cancel(base + j);
        }
      } catch (e) {
        if (i < best && failure === null) failure = e;
      } finally {
        running.delete(i);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(runner.parallel, count)) }, lane));
  if (failure !== null) throw failure;
  const counted = results.slice(0, Math.min(best + 1, count));
  return combine(counted, base, best < count ? best : null, started);
}

/** The swarm's result: the winner's violation (or none), figures summed over the seeds that count. */
function combine<R extends SearchResult>(counted: (R | undefined)[], base: number, winner: number | null, started: number): SwarmOutcome<R> {
  const rs = counted.filter((r): r is R => r !== undefined);
  const stats: Stats = { states: 0, transitions: 0, seconds: +((performance.now() - started) / 1000).toFixed(3), depth: 0, peakMemoryMB: 0 };
  for (const r of rs) {
    stats.states += r.stats.states;
    stats.transitions += r.stats.transitions;
    stats.depth = Math.max(stats.depth, r.stats.depth);
    stats.peakMemoryMB = Math.max(stats.peakMemoryMB, r.stats.peakMemoryMB);
  }
  const won = winner !== null ? counted[winner] : undefined;
  if (winner !== null && won?.result === 'violation')
    return { result: 'violation', violation: won.violation, stats, foundBySeed: base + winner, seedsRun: rs.length, results: rs };
  // Seeds never started (time ran out) or stopped by a limit leave the swarm incomplete for that reason.
  const stoppedBy =
    rs.length < counted.length ? 'max-seconds' : rs.map((r) => (r.result === 'incomplete' ? r.stoppedBy : 'walks')).find((by) => by !== 'walks');
  return { result: 'incomplete', stats, stoppedBy: stoppedBy ?? 'walks', foundBySeed: null, seedsRun: rs.length, results: rs };
}
