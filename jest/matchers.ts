/**
 * The Jest matchers. Both run `explore(system, options)` (options pass through: strategy, maxStates,
 * symmetry, por, seed, scenario, ...) and print the result with `explainResult`.
 *
 * - `toHoldInAllInterleavings(options?)` passes iff the search verifies the system. An incomplete search
 *   (a limit, random/pct, an unsatisfiable scenario) proves nothing either way: it fails with and without
 *   `.not`.
 * - `toBeViolatedBy(id, options?)` passes iff the search finds a violation of exactly `id` (BFS: the
 *   shortest one). `.not.toBeViolatedBy(id)` passes iff no interleaving violates `id`, even one that
 *   first breaks something else (the search is repeated with the other invariants switched off).
 *
 * A failure shows the steps of the actors involved in the violation (`timeline: 'full'` or the environment
 * variable HYPSIM_FULL_TIMELINE=1 shows every actor's) and writes the counterexample to
 * test-output/hypsim/<test name>.json with the command that opens it in the inspector (jest/trace-out.ts).
 * Misuse (not a System, an unknown invariant id) fails the assertion, with and without `.not`, rather than
 * throwing from here: Jest then points its code frame at the test's line, not at this file.
 */
import type { MatcherContext } from 'expect';
import { explore, type ExploreOptions, type ExploreResult } from '../api/explore';
import type { System } from '../api/system';
import { Engine } from '../bus/engine';
import type { BusSpec } from '../bus/spec';
import { describeSystemOf, explainResult, type ExplainOptions } from './explain';
import { writeFailureTrace } from './trace-out';

/** Options of the matchers: those of `explore()`, and how much of the counterexample to show. */
export type InterleavingOptions = ExploreOptions & {
  /** 'involved' (default): the steps of the actors involved in the violation; 'full' (or HYPSIM_FULL_TIMELINE=1): all. */
  timeline?: 'involved' | 'full';
};

interface Result {
  pass: boolean;
  message(): string;
}

/** The explore() options, and the timeline wanted (the option wins over the environment). */
function split(options: InterleavingOptions): { search: ExploreOptions; explain: ExplainOptions } {
  const { timeline, ...search } = options;
  const full = timeline === 'full' || (timeline === undefined && /^(1|true|yes)$/i.test(process.env.HYPSIM_FULL_TIMELINE ?? ''));
  return { search, explain: { timeline: full ? 'full' : 'involved' } };
}

/** The result Jest gets; a failing one with a counterexample writes its trace file and says how to open it. */
function verdict(ctx: MatcherContext, sys: System, r: ExploreResult, pass: boolean, text: string): Result {
  const fails = pass === (ctx.isNot === true);
  const extra = fails && r.violation ? writeFailureTrace(sys, ctx.currentTestName, r.violation) : [];
  return { pass, message: () => (extra.length ? `${text}\n\n${extra.join('\n')}` : text) };
}

/** Misuse: fails with and without `.not` (a returned result keeps Jest's code frame on the test's line). */
function misuse(ctx: MatcherContext, text: string): Result {
  return { pass: ctx.isNot === true, message: () => text };
}

function isSystem(x: unknown): x is System {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as System).engine === 'function' &&
    typeof (x as System).spec === 'object' &&
    typeof (x as System).header === 'object'
  );
}

function notASystem(ctx: MatcherContext, name: string, x: unknown): Result {
  return misuse(
    ctx,
    `${ctx.utils.matcherHint(name, 'system', '', { isNot: ctx.isNot })}\n\n` +
      `expect(system): the value must be a hypsim System, from system({ design, layout, cpus, hotplug, vms }) or system({ spec })\n` +
      `Received: ${ctx.utils.printReceived(x)}`,
  );
}

/** The same system with only invariant `id` checked (to ask whether `id` is reachable on its own). */
function only(sys: System, id: string): System {
  const spec: BusSpec<unknown> = { ...sys.spec, invariants: sys.spec.invariants.filter((i) => i.id === id) };
  return { ...sys, spec, engine: (o) => new Engine(spec, o) };
}

function steps(r: ExploreResult): number {
  const t = r.violation?.trace ?? [];
  return t.length ? t[t.length - 1].step : 0;
}

export function toHoldInAllInterleavings(this: MatcherContext, x: unknown, options: InterleavingOptions = {}): Result {
  const name = 'toHoldInAllInterleavings';
  if (!isSystem(x)) return notASystem(this, name, x);
  const sys = x;
  const { search, explain } = split(options);
  const r = explore(sys, search);
  const hint = this.utils.matcherHint(name, 'system', '', { isNot: this.isNot, comment: describeSystemOf(sys) });
  const say = (pass: boolean, what: string) => verdict(this, sys, r, pass, `${hint}\n\n${what}\n\n${explainResult(sys, r, explain)}`);
  if (r.result === 'verified') return say(true, 'Expected some interleaving to break an invariant, but none does.');
  if (r.result === 'violation') return say(false, `Expected every interleaving to hold every invariant, but one breaks ${r.violation.invariant}:`);
  // Nothing proven: fail whether or not the assertion is negated.
  return say(this.isNot === true, `The search decided nothing (${r.result}).`);
}

export function toBeViolatedBy(this: MatcherContext, x: unknown, invariant: string, options: InterleavingOptions = {}): Result {
  const name = 'toBeViolatedBy';
  if (!isSystem(x)) return notASystem(this, name, x);
  const sys = x;
  const ids = sys.spec.invariants.map((i) => i.id);
  if (typeof invariant !== 'string' || !ids.includes(invariant)) {
    const head = this.utils.matcherHint(name, 'system', 'invariant', { isNot: this.isNot });
    return misuse(this, `${head}\n\n${this.utils.printExpected(invariant)} is not an invariant of this system (${ids.join(', ')})`);
  }
  const hint = this.utils.matcherHint(name, 'system', this.utils.printExpected(invariant), { isNot: this.isNot, comment: describeSystemOf(sys) });
  const { search, explain } = split(options);
  const r = explore(sys, search);
  const say = (pass: boolean, what: string, res: ExploreResult = r, of: System = sys) =>
    verdict(this, sys, res, pass, `${hint}\n\n${what}\n\n${explainResult(of, res, explain)}`);
  if (r.result === 'violation' && r.violation.invariant === invariant) return say(true, `Expected no interleaving to break ${invariant}, but this one does:`);
  if (r.result === 'violation') {
    // Another invariant breaks first. Is `invariant` reachable at all when the others are ignored?
    const alone = explore(only(sys, invariant), search);
    const hit = alone.result === 'violation';
    const first = r.violation.invariant;
    const aside = hit
      ? `(${invariant} is reachable too, ignoring the other invariants: ${steps(alone)} steps at the shortest — ` +
        `but ${first} comes first, after ${steps(r)} steps)`
      : alone.result === 'verified'
        ? `(${invariant} itself holds in every interleaving, even ignoring the other invariants)`
        : `(searching for ${invariant} alone was ${alone.result})`;
    if (this.isNot && hit)
      return say(true, `Expected no interleaving to break ${invariant}, but one does (another invariant breaks earlier):`, alone, only(sys, invariant));
    return say(false, `Expected a violation of ${invariant}, but the explorer found ${first} first ${aside}:`);
  }
  if (r.result === 'verified') return say(false, `Expected a violation of ${invariant}, but every interleaving holds every invariant:`);
  return say(this.isNot === true, `Expected a violation of ${invariant}, but the search decided nothing (${r.result}):`);
}

export const hypsimMatchers = { toHoldInAllInterleavings, toBeViolatedBy };
