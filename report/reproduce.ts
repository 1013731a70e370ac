/**
 * How to reproduce a sampled (random or PCT) counterexample, as fast-check prints seed, path and "shrunk N
 * times": which run found it, its length before and after shrinking, and the exact call or command that
 * finds it again (the same seed; walks = the run that found it, since runs 1..n do not depend on later ones;
 * sampling ignores symmetry and POR, so they are left out).
 */
import type { ExploreResult } from '../api/explore';
import { recipeOf } from '../api/recipe';
import type { System } from '../api/system';
import { findDesign } from '../design/design';
import { layoutPresets, resolveLayout } from '../mmu/layout';

/** "run 12 (seed 1): 58 steps, shrunk 7 times to 24 steps", or null for bfs/dfs. */
export function sampleSummary(r: ExploreResult): string | null {
  const v = r.violation;
  const s = v?.sample;
  if (!v || !s) return null;
  const t = v.trace;
  const steps = t.length ? t[t.length - 1].step : 0;
  const depth = s.pctDepth !== undefined ? `, depth ${s.pctDepth}` : '';
  const cut = s.shrinkStoppedBy ? ` (shrinking stopped early: ${s.shrinkStoppedBy}; a shorter trace may exist)` : '';
  const times = `${s.shrinkSteps} time${s.shrinkSteps === 1 ? '' : 's'}`;
  return `run ${s.run} (seed ${r.seed}${depth}): ${s.originalSteps} steps, shrunk ${times} to ${steps} steps${cut}`;
}

/** The explore() call that finds the same counterexample again. */
export function reproduceCall(r: ExploreResult): string | null {
  const s = r.violation?.sample;
  if (!s) return null;
  const o = [`strategy: '${r.strategy}'`, `seed: ${r.seed}`, `walks: ${s.run}`, ...(s.pctDepth !== undefined ? [`pctDepth: ${s.pctDepth}`] : [])];
  return `explore(system, { ${o.join(', ')} })`;
}

/**
 * The `hypsim explore` command that finds it again, for a HYP system whose design and layout are presets
 * or mutants by name (a design or layout given as a value or file has no name to put on a command line).
 */
export function reproduceCommand(sys: System, r: ExploreResult): string | null {
  const s = r.violation?.sample;
  const c = recipeOf(sys);
  if (!s || !c || r.scenario) return null;
  const named = findDesign(c.design.name);
  if (!named || JSON.stringify(named) !== JSON.stringify(c.design)) return null;
  const preset = layoutPresets[c.layout.name] ? resolveLayout(c.layout.name, c.cpus, c.vms, c.design.hypVaMask) : null;
  if (!preset || JSON.stringify(preset) !== JSON.stringify(c.layout)) return null;
  const f = [`--design ${c.design.name}`, `--layout ${c.layout.name}`, `--cpus ${c.cpus}`, `--hotplug ${c.hotplug}`];
  if (c.vms) f.push(`--vms ${c.vms}`);
  if (c.cpuPm) f.push(`--cpu-pm ${c.cpuPm}`);
  if (c.hotplugFromBoot) f.push('--hotplug-from-boot');
  if (c.tlbScope === 'all') f.push('--tlb-scope all');
  f.push(`--strategy ${r.strategy}`, `--seed ${r.seed}`, `--walks ${s.run}`);
  if (s.pctDepth !== undefined) f.push(`--pct-depth ${s.pctDepth}`);
  return `hypsim explore ${f.join(' ')}`;
}

/** The command line a user typed, as a shell would take it back (arguments quoted where needed). */
export function shellWords(words: readonly string[]): string {
  return words.map((w) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}
