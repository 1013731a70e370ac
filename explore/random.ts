/**
 * Sampling strategies. `random`: seeded uniform random walks to the end of the run. `pct`: probabilistic
 * concurrency testing (Burckhardt et al., ASPLOS 2010): random actor priorities and d-1 random points
 * where the running actor drops to the lowest priority; a bug of depth d is found with probability at
 * least 1/(n k^(d-1)) per run. Either can find a violation, neither can prove there is none: without one,
 * the result is 'incomplete'. Counterexamples are shrunk.
 */
import type { Delivery, Step, World } from './checkable';
import { createRng, type Rng } from '../util/rng';
import type { Checkable } from './checkable';
import { Budget, type StopReason } from './budget';
import type { SearchOptions, SearchResult } from './result';
import { shrink } from './shrink';
import { deliveriesToEntries } from './trace-builder';

type Chooser = (world: World, enabled: Step[], stepNo: number) => Step;

function randomChooser(rng: Rng): () => Chooser {
  return () => (_w, enabled) => enabled[rng.int(enabled.length)];
}

function pctChooser(rng: Rng, actors: number, depth: number, lengthEstimate: () => number): () => Chooser {
  return () => {
    // Distinct initial priorities d..d+n-1 (higher runs first); change points get d-1 .. 1.
    const prio = Array.from({ length: actors }, (_, i) => depth + i);
    for (let i = prio.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [prio[i], prio[j]] = [prio[j], prio[i]];
    }
    const k = Math.max(1, lengthEstimate());
    const changes = Array.from({ length: depth - 1 }, () => 1 + rng.int(k));
    return (_w, enabled, stepNo) => {
      let best = enabled[0];
      for (const st of enabled) if (prio[st.actor] > prio[best.actor]) best = st;
      const mine = enabled.filter((s) => s.actor === best.actor);
      const chosen = mine[rng.int(mine.length)];
      const at = changes.indexOf(stepNo);
      if (at >= 0) prio[chosen.actor] = depth - 1 - at;
      return chosen;
    };
  };
}

export function sample(sys: Checkable, opts: SearchOptions): SearchResult {
  const t0 = performance.now();
  const rng = createRng(opts.seed);
  const walks = opts.walks ?? 1000;
  const seen = new Set<string>();
  let transitions = 0;
  let maxDepth = 0;
  let lengths = 0;
  let runs = 0;
  const estimate = () => (runs ? Math.round(lengths / runs) : 50);
  const next = opts.strategy === 'pct' ? pctChooser(rng, sys.actorCount, Math.max(1, opts.pctDepth ?? 3), estimate) : randomChooser(rng);
  const stats = () => ({
    states: seen.size,
    transitions,
    seconds: +((performance.now() - t0) / 1000).toFixed(3),
    depth: maxDepth,
    peakMemoryMB: budget.peakMemoryMB,
  });
  const budget = opts.budget ?? new Budget(opts, opts.onProgress);
  const stop = (why: StopReason): SearchResult => ({ result: 'incomplete', stats: stats(), stoppedBy: budget.stop(why) });

  for (let w = 0; w < walks; w++) {
    const choose = next();
    let world = sys.initial();
    const steps: Delivery[][] = [];
    for (let i = 1; ; i++) {
      const v = sys.violation(world);
      const enabled = v ? [] : sys.enabled(world);
      const q = v ?? (enabled.length === 0 ? sys.quiescentViolation(world) : null);
      if (q) {
        const shrunk = shrink(sys, deliveriesToEntries(sys, steps), q.invariant, budget);
        const depth = opts.strategy === 'pct' ? { pctDepth: Math.max(1, opts.pctDepth ?? 3) } : {};
        const cut = shrunk.stoppedBy ? { shrinkStoppedBy: shrunk.stoppedBy } : {};
        const sample = { run: w + 1, originalSteps: steps.length, shrinkSteps: shrunk.steps, ...cut, ...depth };
        return { result: 'violation', violation: { invariant: q.invariant, message: shrunk.message, trace: shrunk.trace, sample }, stats: stats() };
      }
      if (enabled.length === 0) break;
      const why = budget.check();
      if (why) return stop(why);
      budget.progress(seen.size, maxDepth, walks - w - 1);
      const rec: Delivery[] = [];
      world = sys.apply(world, choose(world, enabled, i), rec);
      steps.push(rec);
      transitions++;
      const key = sys.key(world);
      if (budget.atStateLimit(seen.size) && !seen.has(key)) return stop('max-states');
      if (seen.size < 5_000_000) seen.add(key);
      if (i > maxDepth) maxDepth = i;
    }
    runs++;
    lengths += steps.length;
  }
  return { result: 'incomplete', stats: stats(), stoppedBy: 'walks' };
}
