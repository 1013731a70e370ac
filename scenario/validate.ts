/**
 * Checking a scenario against a system: its shape (a scenario file is user input), then its names (the
 * actors of the system, the events each actor's statechart takes) and, for HYP systems, CPU numbers.
 * Every problem is one InputError line naming the field and the value.
 */
import type { AnyStateMachine } from 'xstate';
import type { System } from '../actors/system';
import { InputError } from '../util/errors';
import { MAX_JSON_DEPTH } from '../util/json';
import { predecessors, type PinnedStep, type ScenarioSpec } from './scenario';

/** At most this many pinned steps (the automaton's state is a bit set). */
export const MAX_PINNED = 30;

/** A checked scenario: every step's predecessors explicit, as bit masks for the automaton. */
export interface CompiledScenario {
  readonly spec: ScenarioSpec;
  readonly steps: readonly (PinnedStep & { readonly after: readonly number[] })[];
  /** Per step, the bit mask of its predecessors. */
  readonly preds: readonly number[];
  /** Every step done. */
  readonly full: number;
  /** Invariants only where every pinned step has happened. */
  readonly onceComplete: boolean;
}

const show = (v: unknown): string => {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'nothing';
  if (typeof v === 'function') return 'a function';
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    // Too deep or cyclic to print: String() of it would recurse too.
    return Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : typeof v;
  }
};

/** JSON values only, nested at most MAX_JSON_DEPTH deep (deeper would overflow later recursive walks). */
function isJsonValue(v: unknown, depth = 0): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (depth >= MAX_JSON_DEPTH) return false;
  if (Array.isArray(v)) return v.every((x) => isJsonValue(x, depth + 1));
  if (typeof v === 'object') return Object.getPrototypeOf(v) === Object.prototype && Object.values(v as object).every((x) => isJsonValue(x, depth + 1));
  return false;
}

/** The event types an actor's statechart takes ('*' if it takes any). */
export function eventsOf(machine: AnyStateMachine): readonly string[] {
  const events: readonly string[] | undefined = machine.root?.events;
  return events ? [...new Set(events)] : ['*'];
}

const stepFields = ['actor', 'event', 'payload', 'from', 'after'];

/**
 * Check a scenario (a `scenario()` builder, or a parsed scenario file) against `sys`.
 * @param where how to name it in errors, e.g. `scenario file s.json`.
 */
export function compileScenario(sys: System, input: unknown, where = 'scenario'): CompiledScenario {
  const fail = (field: string, why: string): never => {
    throw new InputError(`${where}: ${field ? `${field} ` : ''}${why}`);
  };
  if (typeof input !== 'object' || input === null || Array.isArray(input)) fail('', `must be an object with "steps", got ${show(input)}`);
  const raw = (typeof (input as { toJSON?: unknown }).toJSON === 'function' ? (input as { toJSON(): unknown }).toJSON() : input) as Record<string, unknown>;
  for (const k of Object.keys(raw))
    if (!['steps', 'description', 'check'].includes(k) && raw[k] !== undefined) fail(k, `is not a scenario field (steps, description, check)`);
  if (raw.description !== undefined && typeof raw.description !== 'string') fail('description', `must be a string, got ${show(raw.description)}`);
  if (raw.check !== undefined && raw.check !== 'always' && raw.check !== 'once-complete')
    fail('check', `must be "always" or "once-complete", got ${show(raw.check)}`);
  const steps = raw.steps;
  if (!Array.isArray(steps) || steps.length === 0) fail('steps', `must be a non-empty array of pinned steps, got ${show(steps)}`);
  const list = steps as unknown[];
  if (list.length > MAX_PINNED) fail('steps', `has ${list.length} pinned steps; at most ${MAX_PINNED}`);

  const ids = sys.spec.actors.map((a) => a.id);
  const actorList = ids.length > 8 ? `${ids.slice(0, 8).join(', ')}, …` : ids.join(', ');
  const cpus = sys.hyp ? sys.hyp.config.cpus : undefined;
  const out: (PinnedStep & { after: number[] })[] = [];
  list.forEach((s, i) => {
    const at = `steps[${i}]`;
    if (typeof s !== 'object' || s === null || Array.isArray(s))
      fail(at, `must be an object like {"actor": "hotplug", "event": "DOWN", "payload": {"cpu": 1}}, got ${show(s)}`);
    const o = s as Record<string, unknown>;
    for (const k of Object.keys(o))
      if (!stepFields.includes(k) && o[k] !== undefined) fail(`${at}.${k}`, `is not a pinned-step field (${stepFields.join(', ')})`);
    if (typeof o.actor !== 'string') fail(`${at}.actor`, `must be an actor id (${actorList}), got ${show(o.actor)}`);
    const actor = o.actor as string;
    const a = ids.indexOf(actor);
    if (a < 0) fail(`${at}.actor`, `${show(actor)} is not an actor of this system (${actorList})`);
    if (typeof o.event !== 'string' || o.event === '') fail(`${at}.event`, `must be an event type, got ${show(o.event)}`);
    const event = o.event as string;
    const takes = eventsOf(sys.spec.actors[a].machine);
    if (!takes.includes('*') && !takes.includes(event))
      fail(`${at}.event`, `${show(event)} is not an event ${actor} takes in this system (${takes.join(', ')})`);
    if (o.from !== undefined) {
      if (typeof o.from !== 'string') fail(`${at}.from`, `must be an actor id, got ${show(o.from)}`);
      if (!ids.includes(o.from as string)) fail(`${at}.from`, `${show(o.from)} is not an actor of this system (${actorList})`);
    }
    let payload: Record<string, unknown> | undefined;
    if (o.payload !== undefined) {
      if (typeof o.payload !== 'object' || o.payload === null || Array.isArray(o.payload))
        fail(`${at}.payload`, `must be an object of event fields, got ${show(o.payload)}`);
      payload = o.payload as Record<string, unknown>;
      for (const [k, v] of Object.entries(payload)) {
        if (k === 'type') fail(`${at}.payload.type`, 'is the event type: give it as "event"');
        if (!isJsonValue(v)) fail(`${at}.payload.${k}`, `must be a JSON value nested at most ${MAX_JSON_DEPTH} deep, got ${show(v)}`);
        if (cpus !== undefined && k === 'cpu' && (!Number.isInteger(v) || (v as number) < 0 || (v as number) >= cpus))
          fail(`${at}.payload.cpu`, `must be a CPU number from 0 to ${cpus - 1}, got ${show(v)}`);
      }
    }
    let after: number[];
    if (o.after !== undefined) {
      if (!Array.isArray(o.after)) fail(`${at}.after`, `must be an array of earlier step indices, got ${show(o.after)}`);
      after = [];
      (o.after as unknown[]).forEach((p, k) => {
        if (!Number.isInteger(p) || (p as number) < 0 || (p as number) >= i)
          fail(
            `${at}.after[${k}]`,
            i === 0 ? `must be empty for the first step, got ${show(p)}` : `must be the index of an earlier step (0 to ${i - 1}), got ${show(p)}`,
          );
        if (!after.includes(p as number)) after.push(p as number);
      });
    } else after = predecessors(list as PinnedStep[], i);
    out.push({ actor, event, ...(payload ? { payload } : {}), ...(o.from !== undefined ? { from: o.from as string } : {}), after });
  });
  const preds = out.map((s) => s.after.reduce((m, p) => m | (1 << p), 0));
  const spec: ScenarioSpec = {
    ...(raw.description !== undefined ? { description: raw.description as string } : {}),
    ...(raw.check !== undefined ? { check: raw.check as 'always' | 'once-complete' } : {}),
    steps: out,
  };
  return { spec, steps: out, preds, full: (1 << out.length) - 1, onceComplete: raw.check === 'once-complete' };
}
