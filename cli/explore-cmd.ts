/** `hypsim explore`: search every interleaving (or sample them), print the verdict and any counterexample. */
import { explore, type ExploreResult, type ExploreViolation } from '../api/explore';
import type { Strategy } from '../explore/result';
import { sampleSummary, shellWords } from '../report/reproduce';
import { renderTimeline } from '../report/timeline';
import { describeScenario } from '../scenario/scenario';
import { getHeapStatistics } from 'node:v8';
import { checkSpillDir } from '../api/file-spill';
import { checkWritable } from '../api/output-file';
import { readScenarioFile } from '../api/scenario-file';
import { traceFileFor } from '../report/trace-file';
import { InputError } from '../util/errors';
import { parseArgs, refuseFlags, type Flags } from './args';
import { scaleChoice, scaleFlags, scaleHelp, swarmLine, visitedLine } from './scale-flags';
import { searchOptions } from './search-options';
import { redisExploreCommand } from './redis-explore-cmd';
import { swarmCommand } from './swarm-cmd';
import { workersCommand } from './workers-cmd';
import { describeSystem, systemFlags, systemFrom } from './system-flags';
import { noTraceOut, writeTraceOut } from './trace-out';

export const exploreHelp = `hypsim explore --design D --cpus N [--hotplug K] [options]
  --design D            preset, mutant (hypsim list) or design file
  --layout L            collide | disjoint | arm64 | arm64-highmem | layout file (default: the design's)
  --cpus N --hotplug K  CPUs, and at most K CPU-down operations (default 0, as everywhere)
  --vms M               VMs created once KVM is up (default 0)
  --cpu-pm K            at most K deep-idle entries (CPU PM) once KVM is up (default 0)
  --hotplug-from-boot   hotplug may act while kvm_arch_init runs
  --strategy S          bfs (default, shortest counterexample) | dfs | random | pct
  --seed S              seed for random and pct, 0 to 4294967295 (default 1)
  --walks W             runs for random and pct (default 1000)
  --pct-depth D         pct bug depth (default 3)
  --max-states X        store at most X states, then stop (exit 3)
  --max-seconds T       stop after T seconds, shrinking included (exit 3)
  --max-memory MB       stop once the JS heap passes MB (default and most: half the heap limit; exit 3)
  --no-symmetry         no CPU symmetry reduction
  --no-por              no partial-order reduction (bfs and dfs)
  --tlb-scope all       track every VA in the TLBs (default: the volatile ones)
  --json                one JSON object on stdout
  --trace-out FILE      write the counterexample as a trace file (hypsim inspect FILE, hypsim replay FILE)
  --scenario FILE       pin part of the schedule (JSON), let the search vary the rest:
                          {"steps": [{"actor": "kernel", "event": "FREE_BOOT_HYP_PGD"},
                                     {"actor": "hotplug", "event": "DOWN", "payload": {"cpu": 1}}]}
                        pinned steps happen in the order listed (a step's "after": [i, ...] names other
                        predecessors, [] none); a step matching a pinned step before its turn is held
                        back, all others interleave freely. Runs without CPU symmetry. Result
                        "unsatisfiable" (exit 3) if no interleaving completes the pinned steps
  --quiet               no progress line
${scaleHelp}
  --redis-timeout S     bfs over Redis: end incomplete (exit 3) after S seconds with no worker alive (default 60)
  Ctrl-C or SIGTERM stops the search and prints what it has (incomplete, exit 3); a second one quits at once.
exit: 0 verified, 1 violation, 2 bad input (or an output that cannot be written), 3 stopped at a limit or
  interrupted (or the scenario never completed)`;

const exploreFlags = {
  ...systemFlags,
  strategy: 'string',
  seed: 'seed',
  walks: 'int',
  'pct-depth': 'int',
  'max-states': 'int',
  'max-seconds': 'number',
  'max-memory': 'int',
  'no-symmetry': 'bool',
  'no-por': 'bool',
  json: 'bool',
  'trace-out': 'string',
  scenario: 'string',
  quiet: 'bool',
  help: 'bool',
  ...scaleFlags,
  'redis-timeout': 'number',
} as const;

type ExploreFlags = Flags<typeof exploreFlags>;

const strategies: readonly Strategy[] = ['bfs', 'dfs', 'random', 'pct'];

/** Check the flags that need no system: strategy, flags that would do nothing under it, limits. */
function checkSearchFlags(f: ExploreFlags): Strategy {
  const strategy = (f.strategy ?? 'bfs') as Strategy;
  if (!strategies.includes(strategy)) throw new InputError(`hypsim explore: --strategy must be bfs, dfs, random or pct, got "${f.strategy}"`);
  if (strategy === 'bfs' || strategy === 'dfs')
    refuseFlags('explore', f, ['seed', 'walks', 'pct-depth'], `under --strategy ${strategy} (it searches every interleaving)`);
  else refuseFlags('explore', f, ['no-por', ...(strategy === 'random' ? ['pct-depth'] : [])], `under --strategy ${strategy}`);
  for (const k of ['max-states', 'max-seconds', 'walks', 'pct-depth', 'max-memory'] as const)
    if (f[k] !== undefined && f[k] <= 0) throw new InputError(`hypsim explore: --${k} must be positive, got ${f[k]}`);
  // At most half the heap: a growing hash table briefly needs about twice its size; past its limit V8 aborts the process.
  const most = Math.floor(getHeapStatistics().heap_size_limit / 1048576 / 2);
  if (f['max-memory'] !== undefined && f['max-memory'] > most)
    throw new InputError(
      `hypsim explore: --max-memory must be at most ${most} MB (half the heap limit), got ${f['max-memory']} ` +
        '(raise the limit with NODE_OPTIONS=--max-old-space-size=MB)',
    );
  return strategy;
}

export function exploreCommand(
  argv: readonly string[],
  out: (s: string) => void,
  err: (s: string) => void,
  interrupt?: { readonly aborted: boolean },
): number | Promise<number> {
  const { flags: f, positional } = parseArgs(argv, exploreFlags, 'explore');
  if (f.help) {
    out(exploreHelp);
    return 0;
  }
  if (positional.length) throw new InputError(`hypsim explore: unexpected argument "${positional[0]}"`);
  const strategy = checkSearchFlags(f);
  const scale = scaleChoice(f, strategy);
  const sys = systemFrom(f, 'explore');
  // Checked before the search: a long run must not end by failing to save its result.
  if (f['trace-out'] !== undefined) checkWritable(f['trace-out'], 'trace file');
  if (f['spill-dir'] !== undefined) checkSpillDir(f['spill-dir'], 'explore');
  if (f['redis-timeout'] !== undefined && f.redis === undefined) throw new InputError('hypsim explore: --redis-timeout applies with --redis only');
  if (strategy === 'bfs' && f.redis !== undefined) return redisExploreCommand(sys, f, f.redis, out, err, formatResult, interrupt);
  if (scale.workers !== undefined) return workersCommand(sys, f, scale.workers, out, err, formatResult, interrupt);
  if (scale.swarm) return swarmCommand(sys, f, strategy as 'random' | 'pct', scale.swarm, out, err, formatResult);
  const scenario = f.scenario !== undefined ? readScenarioFile(f.scenario, sys).spec : undefined;
  const r: ExploreResult = explore(sys, {
    strategy,
    ...searchOptions(f),
    maxMemoryMB: f['max-memory'],
    interrupt,
    // A scenario names actors: it runs without symmetry (the result says symmetry: false).
    ...(scenario ? { symmetry: undefined } : {}),
    scenario,
    ...scale.options,
    onProgress: f.quiet
      ? undefined
      : (pr) => err(`  … ${pr.states} states, ${pr.statesPerSecond} states/s, depth ${pr.depth}, frontier ${pr.frontier}, ${pr.seconds.toFixed(1)} s`),
  });
  if (f.json) out(JSON.stringify(r));
  else out(formatResult(describeSystem(sys), r, (v) => renderTimeline(sys, v.trace, v, { legend: true }), rerunCommand(argv, r)));
  if (f['trace-out'] !== undefined) {
    const v = r.violation;
    if (v) writeTraceOut('explore', f['trace-out'], traceFileFor(sys, { invariant: v.invariant, message: v.message }, v.trace, v.loop), err);
    else noTraceOut('explore', f['trace-out'], err);
  }
  return r.result === 'verified' ? 0 : r.result === 'violation' ? 1 : 3;
}

function scenarioLine(r: ExploreResult): string {
  if (!r.scenario) return '';
  return `\n  scenario: ${describeScenario(r.scenario)}\n  ${r.scenario.summary}`;
}

/** The command that finds a sampled counterexample again: the user's flags, the seed made explicit, walks = the run that found it. */
function rerunCommand(argv: readonly string[], r: ExploreResult): string | undefined {
  const s = r.violation?.sample;
  if (!s) return undefined;
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const [name] = argv[i].split('=', 1);
    const drop = ['--json', '--quiet', '--trace-out', '--seed', '--walks'].includes(name);
    // A flag given as "--flag value" takes its value along.
    const takesValue = !argv[i].includes('=') && ['--trace-out', '--seed', '--walks'].includes(name);
    if (!drop) words.push(argv[i]);
    if (takesValue) i++;
  }
  return `hypsim explore ${shellWords([...words, '--seed', String(r.seed), '--walks', String(s.run)])}`;
}

export function formatResult(title: string, r: ExploreResult, timeline: (v: ExploreViolation) => string, rerun?: string): string {
  const s = r.stats;
  const red = [r.symmetry ? 'symmetry' : '', r.por ? 'POR' : ''].filter(Boolean).join(' + ') || 'no reduction';
  const rate = Math.round(s.states / Math.max(s.seconds, 1e-3));
  const figures =
    `${s.states} states, ${s.transitions} transitions, depth ${s.depth}, ${s.seconds} s, ${rate} states/s, ${s.peakMemoryMB} MB peak ` +
    `(${r.strategy}, ${red}); ${r.engine.xstateTransitions} XState transitions computed, the rest memoised${visitedLine(r)}`;
  const scn = scenarioLine(r) + swarmLine(r);
  if (r.result === 'verified')
    return `✓ ${title}: verified — every interleaving${r.scenario ? ' the scenario allows' : ''} holds every invariant${scn}\n  ${figures}`;
  if (r.result === 'incomplete') return `… ${title}: incomplete — stopped by ${r.stoppedBy}, no violation found so far${scn}\n  ${figures}`;
  if (r.result !== 'violation')
    return `? ${title}: unsatisfiable scenario — no violation, but no interleaving completes the pinned steps, so nothing is verified${scn}\n  ${figures}`;
  const v = r.violation;
  const steps = v.trace.length ? v.trace[v.trace.length - 1].step : 0;
  const sampled = sampleSummary(r);
  const found = sampled ? `\n  found by ${r.strategy} in ${sampled}${rerun ? `\n  reproduce: ${rerun}` : ''}` : '';
  return `✗ ${title}: ${v.invariant} after ${steps} steps\n  ${v.message}${scn}${found}\n  ${figures}\n\n${timeline(v)}`;
}
