/**
 * An explore() result as text a kernel engineer can act on: the verdict, the invariant and its message,
 * the system, how it was searched, the scenario if any, and the counterexample as a per-CPU timeline.
 */
import type { ExploreResult } from '../api/explore';
import type { System } from '../api/system';
import { involvedActors } from '../report/involved';
import { reproduceCall, reproduceCommand, sampleSummary } from '../report/reproduce';
import { renderTimeline } from '../report/timeline';
import { describeScenario } from '../scenario/scenario';

/** "trampoline on collide, 2 CPUs, hotplug K=1, 1 VM", or for your own machines "counter: a, b". */
export function describeSystemOf(sys: System): string {
  return sys.view?.summary ?? `${sys.header.design} (${sys.spec.actors.map((a) => a.id).join(', ')})`;
}

function searchLine(r: ExploreResult): string {
  const red = [r.symmetry ? 'symmetry' : '', r.por ? 'POR' : ''].filter(Boolean).join(' + ') || 'no reduction';
  const seed = r.strategy === 'random' || r.strategy === 'pct' ? `, seed ${r.seed}` : '';
  return `${r.strategy} (${red}${seed}): ${r.stats.states} states, ${r.stats.transitions} transitions, ${r.stats.seconds} s`;
}

function scenarioLines(r: ExploreResult): string[] {
  if (!r.scenario) return [];
  return [`scenario: ${describeScenario(r.scenario)}`, `  ${r.scenario.summary}`];
}

/** The invariant's one-line description, if the system declares it. */
export function invariantText(sys: System, id: string): string | undefined {
  return sys.spec.invariants.find((i) => i.id === id)?.description;
}

export interface ExplainOptions {
  /**
   * 'full' (default here): every actor's steps. 'involved': only the steps of the actors involved in the
   * violation (the one that broke it and those it exchanged messages with), as the matchers print by default.
   */
  timeline?: 'full' | 'involved';
}

/** The whole report for one result (what the matchers print). */
export function explainResult(sys: System, r: ExploreResult, opts: ExplainOptions = {}): string {
  const what = describeSystemOf(sys);
  const out: string[] = [];
  switch (r.result) {
    case 'verified':
      out.push(`✓ verified: every interleaving${r.scenario ? ' the scenario allows' : ''} of ${what} holds every invariant`);
      out.push(`  searched by ${searchLine(r)}`);
      out.push(...scenarioLines(r).map((l) => `  ${l}`));
      break;
    case 'incomplete':
      out.push(`… incomplete: ${what} — stopped by ${r.stoppedBy} with no violation found; nothing is proven`);
      out.push(`  searched by ${searchLine(r)}`);
      out.push(
        r.strategy === 'random' || r.strategy === 'pct'
          ? '  random and pct sample interleavings and never prove their absence: use bfs or dfs to verify'
          : '  raise maxStates / maxSeconds, or make the system smaller',
      );
      out.push(...scenarioLines(r).map((l) => `  ${l}`));
      break;
    case 'unsatisfiable':
      out.push(`? unsatisfiable scenario: ${what} — no violation, but no interleaving completes the pinned steps, so nothing is verified`);
      out.push(...scenarioLines(r).map((l) => `  ${l}`));
      out.push(`  searched by ${searchLine(r)}`);
      break;
    case 'violation': {
      const v = r.violation;
      const steps = v.trace.length ? v.trace[v.trace.length - 1].step : 0;
      const desc = invariantText(sys, v.invariant);
      out.push(`✗ ${v.invariant} after ${steps} step${steps === 1 ? '' : 's'}: ${what}`);
      out.push(`  ${v.message}`);
      if (desc) out.push(`  invariant ${v.invariant}: ${desc}`);
      const sampled = sampleSummary(r);
      out.push(`  found by ${searchLine(r)}${r.strategy === 'bfs' ? ' — a shortest counterexample' : ''}; replay(system, trace) re-executes it`);
      if (sampled) {
        out.push(`  found in ${sampled}`);
        out.push(`  reproduce: ${reproduceCall(r)}`);
        const cmd = reproduceCommand(sys, r);
        if (cmd) out.push(`         or: ${cmd}`);
      }
      out.push(...scenarioLines(r).map((l) => `  ${l}`));
      out.push('');
      const only =
        opts.timeline === 'involved'
          ? {
              actors: involvedActors(
                v.trace,
                sys.spec.actors.map((a) => a.id),
                v.message,
              ),
            }
          : {};
      out.push(renderTimeline(sys, v.trace, v, { legend: true, ...only }));
      break;
    }
  }
  return out.join('\n');
}
