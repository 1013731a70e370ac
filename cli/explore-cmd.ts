/** `hypsim explore`: search every interleaving (or sample them), print the verdict and any counterexample. */
import { explore, type ExploreResult } from '../api/explore';
import type { Strategy } from '../explore/result';
import { renderTimeline } from '../report/timeline';
import { describeScenario } from '../scenario/scenario';
import { readScenarioFile } from '../scenario/validate';
import { traceFileFor, writeTraceFile } from '../report/trace-file';
import { InputError } from '../util/errors';
import { parseArgs } from './args';
import { scaleChoice, scaleFlags, scaleHelp, scaleLines } from './scale-flags';
import { swarmCommand } from './swarm-cmd';
import { describeSystem, systemFlags, systemFrom } from './system-flags';

export const exploreHelp = `hypsim explore --design D --cpus N --hotplug K [options]
  --design D            preset, mutant (hypsim list) or design file
  --layout L            collide | disjoint | arm64 | arm64-highmem | layout file (default: the design's)
  --cpus N --hotplug K  CPUs, and at most K CPU-down operations
  --vms M               VMs created once KVM is up (default 0)
  --cpu-pm K            at most K deep-idle entries (CPU PM) once KVM is up (default 0)
  --hotplug-from-boot   hotplug may act while kvm_arch_init runs
  --strategy S          bfs (default, shortest counterexample) | dfs | random | pct
  --seed S              seed for random and pct (default 1)
  --walks W             runs for random and pct (default 1000)
  --pct-depth D         pct bug depth (default 3)
  --max-states X        stop after X states (exit 3)
  --max-seconds T       stop after T seconds (exit 3)
  --no-symmetry         no CPU symmetry reduction
  --no-por              no partial-order reduction
  --tlb-scope all       track every VA in the TLBs (default: the volatile ones)
  --json                one JSON object on stdout
  --trace-out FILE      write the counterexample as a trace file (hypsim replay FILE)
  --scenario FILE       pin part of the schedule (JSON), let the search vary the rest:
                          {"steps": [{"actor": "kernel", "event": "FREE_BOOT_HYP_PGD"},
                                     {"actor": "hotplug", "event": "DOWN", "payload": {"cpu": 1}}]}
                        pinned steps happen in the order listed (a step's "after": [i, ...] names other
                        predecessors, [] none); a step matching a pinned step before its turn is held
                        back, all others interleave freely. Runs without CPU symmetry. Result
                        "unsatisfiable" (exit 3) if no interleaving completes the pinned steps
  --quiet               no progress line
${scaleHelp}
exit: 0 verified, 1 violation, 2 bad input, 3 stopped at a limit (or the scenario never completed)`;

export function exploreCommand(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): number | Promise<number> {
  const p = parseArgs(argv, {
    ...systemFlags,
    strategy: 'string',
    seed: 'int',
    walks: 'int',
    'pct-depth': 'int',
    'max-states': 'int',
    'max-seconds': 'number',
    'no-symmetry': 'bool',
    'no-por': 'bool',
    json: 'bool',
    'trace-out': 'string',
    scenario: 'string',
    quiet: 'bool',
    help: 'bool',
    ...scaleFlags,
  }, 'explore');
  if (p.flags.help) {
    out(exploreHelp);
    return 0;
  }
  if (p.positional.length) throw new InputError(`hypsim explore: unexpected argument "${p.positional[0]}"`);
  if (p.flags.hotplug === undefined) throw new InputError('hypsim explore: --hotplug is required (0 for none)');
  const sys = systemFrom(p, 'explore');
  const f = p.flags;
  const strategy = (f.strategy as string | undefined) ?? 'bfs';
  if (!['bfs', 'dfs', 'random', 'pct'].includes(strategy)) throw new InputError(`hypsim explore: --strategy must be bfs, dfs, random or pct, got "${strategy}"`);
  for (const k of ['max-states', 'max-seconds', 'walks', 'pct-depth'] as const)
    if (f[k] !== undefined && (f[k] as number) <= 0) throw new InputError(`hypsim explore: --${k} must be positive, got ${f[k]}`);
  const quiet = f.quiet === true;
  const scale = scaleChoice(f, strategy);
  if (scale.swarm) return swarmCommand(sys, f, strategy as 'random' | 'pct', scale.swarm, out, err, formatResult);
  const scenario = typeof f.scenario === 'string' ? readScenarioFile(f.scenario, sys).spec : undefined;
  const r: ExploreResult = explore(sys, {
    strategy: strategy as Strategy,
    seed: f.seed as number | undefined,
    walks: f.walks as number | undefined,
    pctDepth: f['pct-depth'] as number | undefined,
    maxStates: f['max-states'] as number | undefined,
    maxSeconds: f['max-seconds'] as number | undefined,
    // A scenario names actors: it runs without symmetry (the result says symmetry: false).
    symmetry: scenario ? undefined : f['no-symmetry'] !== true,
    por: f['no-por'] !== true,
    scenario,
    ...scale.options,
    onProgress: quiet ? undefined : (pr) => err(`  … ${pr.states} states, ${pr.statesPerSecond} states/s, depth ${pr.depth}, frontier ${pr.frontier}, ${pr.seconds.toFixed(1)} s`),
  });
  if (r.violation && typeof f['trace-out'] === 'string') writeTraceFile(f['trace-out'], traceFileFor(sys, { invariant: r.violation.invariant, message: r.violation.message }, r.violation.trace, r.violation.loop));
  if (f.json) out(JSON.stringify(r));
  else out(formatResult(describeSystem(sys), r, () => renderTimeline(sys, r.violation!.trace, r.violation)));
  return r.result === 'verified' ? 0 : r.result === 'violation' ? 1 : 3;
}

function scenarioLine(r: ExploreResult): string {
  if (!r.scenario) return '';
  return `\n  scenario: ${describeScenario(r.scenario)}\n  ${r.scenario.summary}`;
}

export function formatResult(title: string, r: ExploreResult, timeline: () => string): string {
  const s = r.stats;
  const red = [r.symmetry ? 'symmetry' : '', r.por ? 'POR' : ''].filter(Boolean).join(' + ') || 'no reduction';
  const figures = `${s.states} states, ${s.transitions} transitions, depth ${s.depth}, ${s.seconds} s, ${Math.round(s.states / Math.max(s.seconds, 1e-3))} states/s, ${s.peakMemoryMB} MB peak (${r.strategy}, ${red}); ${r.engine.xstateTransitions} XState transitions computed, the rest memoised`;
  const scn = scenarioLine(r) + scaleLines(r);
  if (r.result === 'verified') return `✓ ${title}: verified — every interleaving${r.scenario ? ' the scenario allows' : ''} holds every invariant${scn}\n  ${figures}`;
  if (r.result === 'incomplete') return `… ${title}: incomplete — stopped by ${r.stoppedBy}, no violation found so far${scn}\n  ${figures}`;
  if (r.result === 'unsatisfiable') return `? ${title}: unsatisfiable scenario — no violation, but no interleaving completes the pinned steps, so nothing is verified${scn}\n  ${figures}`;
  const v = r.violation!;
  const steps = v.trace.length ? v.trace[v.trace.length - 1].step : 0;
  return `✗ ${title}: ${v.invariant} after ${steps} steps\n  ${v.message}${scn}\n  ${figures}\n\n${timeline()}`;
}
