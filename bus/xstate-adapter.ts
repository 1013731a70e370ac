/**
 * The XState side of the engine: what identifies a local state (everything XState's pure `transition` reads
 * of a snapshot), one transition with the writes and sends it emitted, and the features refused up front
 * because the explorer cannot explore them faithfully (timers, child actors, sends outside the bus).
 */
import { initialTransition, transition, type AnyMachineSnapshot, type AnyStateMachine, type EventObject } from 'xstate';
import { InputError, InternalError, UnsupportedFeatureError } from '../util/errors';
import { stableStringify } from '../util/stable';
import type { BusEvent } from './spec';

/** Actions XState hands back for its runtime to execute: the explorer has no runtime, so they would be lost. */
const runtimeActions: Readonly<Record<string, string>> = {
  'xstate.raise': 'a delayed raise (raise with a delay, or an `after` transition)',
  'xstate.sendTo': 'sendTo (messages go through the bus: emit bus.send)',
  'xstate.sendParent': 'sendParent (messages go through the bus: emit bus.send)',
  'xstate.spawnChild': 'a spawned child actor',
  'xstate.stopChild': 'stopping a child actor',
  'xstate.cancel': 'cancel of a delayed event',
};

interface NodeLike {
  readonly id: string;
  readonly after: readonly unknown[];
  readonly invoke: readonly unknown[];
  readonly entry: readonly unknown[];
  readonly exit: readonly unknown[];
  readonly transitions: ReadonlyMap<string, readonly { readonly actions: readonly unknown[] }[]>;
  readonly always?: readonly { readonly actions: readonly unknown[] }[];
  readonly states: Readonly<Record<string, NodeLike>>;
}

const actionType = (a: unknown): string | undefined =>
  (typeof a === 'object' || typeof a === 'function') && a !== null ? (a as { type?: string }).type : undefined;

/** Throw an UnsupportedFeatureError naming the actor and the feature if its machine uses one the explorer cannot explore. */
export function refuseUnsupported(actorId: string, machine: AnyStateMachine): void {
  const visit = (n: NodeLike): void => {
    const where = `actor "${actorId}" (machine "${machine.id}") state "${n.id}"`;
    if (n.after.length)
      throw new UnsupportedFeatureError(`${where} uses a delayed transition (after), which hypsim cannot explore: offer the timeout as a step instead`);
    if (n.invoke.length) throw new UnsupportedFeatureError(`${where} invokes an actor, which hypsim cannot explore: make it an actor of the BusSpec`);
    const actions = [...n.entry, ...n.exit, ...[...n.transitions.values()].flat().flatMap((t) => t.actions), ...(n.always ?? []).flatMap((t) => t.actions)];
    for (const a of actions) {
      const t = actionType(a);
      if (t !== undefined && t !== 'xstate.raise' && runtimeActions[t])
        throw new UnsupportedFeatureError(`${where} uses ${runtimeActions[t]}, which hypsim cannot explore`);
    }
    for (const c of Object.values(n.states)) visit(c);
  };
  const root: NodeLike = machine.root;
  visit(root);
}

/** Ids of the state nodes a history value remembers: enough to tell two snapshots apart. */
function historyIds(h: Readonly<Record<string, readonly { readonly id: string }[]>>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const k of Object.keys(h)) out[k] = h[k].map((n) => n.id);
  return out;
}

/** The identity of a local state: value, context, history and status (what `transition` reads besides the machine). */
export function localKey(snap: AnyMachineSnapshot): string {
  const h = snap.historyValue as Readonly<Record<string, readonly { readonly id: string }[]>> | undefined;
  const hist = h && Object.keys(h).length ? historyIds(h) : undefined;
  return stableStringify([snap.value, snap.context, hist ?? null, snap.status === 'active' ? null : snap.status]);
}

/** The snapshot a local key (as JSON values) stands for, rebuilt from value, context, history and status; null if it names no state of `machine`. */
export function snapshotFromKey(machine: AnyStateMachine, content: unknown): AnyMachineSnapshot | null {
  if (!Array.isArray(content) || content.length !== 4) return null;
  const [value, context, hist, status] = content as [unknown, unknown, Record<string, string[]> | null, string | null];
  try {
    const historyValue =
      hist === null ? undefined : Object.fromEntries(Object.entries(hist).map(([k, ids]) => [k, ids.map((id) => machine.getStateNodeById(id))]));
    const config = { value, context, historyValue, status: status ?? 'active' } as Parameters<AnyStateMachine['resolveState']>[0];
    return machine.resolveState(config);
  } catch (e) {
    if (e instanceof InputError) throw e;
    return null;
  }
}

function checkSnapshot(actorId: string, snap: AnyMachineSnapshot, what: string): void {
  if (snap.status === 'error') throw new InternalError(`actor "${actorId}" failed on ${what}: ${String((snap as { error?: unknown }).error)}`);
  if (snap.children && Object.keys(snap.children).length)
    throw new UnsupportedFeatureError(
      `actor "${actorId}" (machine "${snap.machine.id}") has child actors after ${what} (spawn or invoke), which hypsim cannot explore`,
    );
}

/** A machine's initial snapshot, refused if it starts anything the explorer cannot explore. */
export function initialSnapshot(actorId: string, machine: AnyStateMachine, input: unknown): AnyMachineSnapshot {
  const [snap, actions] = initialTransition(machine, input);
  checkSnapshot(actorId, snap, 'start');
  refuseActions(actorId, machine, actions, 'start');
  return snap;
}

function refuseActions(actorId: string, machine: AnyStateMachine, actions: readonly { type: string }[], what: string): void {
  for (const a of actions)
    if (runtimeActions[a.type])
      throw new UnsupportedFeatureError(`actor "${actorId}" (machine "${machine.id}") uses ${runtimeActions[a.type]} on ${what}, which hypsim cannot explore`);
}

/** One XState transition: the next snapshot and the events it emitted (bus sends and shared-memory writes), in order. */
export function step(actorId: string, machine: AnyStateMachine, snap: AnyMachineSnapshot, event: BusEvent): { snap: AnyMachineSnapshot; emitted: BusEvent[] } {
  const [next, actions] = transition(machine, snap, event as EventObject);
  checkSnapshot(actorId, next, event.type);
  refuseActions(actorId, machine, actions, event.type);
  const emitted = (actions as readonly { type: string; params?: unknown }[])
    .filter((x) => x.type === 'xstate.emit')
    .map((x) => (x.params as { event: BusEvent }).event);
  return { snap: next, emitted };
}
