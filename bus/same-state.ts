/**
 * Whether two states are the very same state without symmetry: what the POR commutation check asks of the
 * two orders of two steps. Equivalent to comparing `encodeWorld(sortChannels(w))` strings (that encoding is
 * injective for a fixed actor count), without building them.
 */
import type { Deliverable } from './deliverable';
import { eventKey } from './event-key';
import type { World } from './key';
import { sortChannels, type Channelled } from './symmetry';

export function sameState(x: World, y: World, message: (code: number) => Channelled): boolean {
  if (x.global !== y.global || x.queue.length !== y.queue.length || !sameCodes(x.locals, y.locals)) return false;
  // Equal queues are equal sorted; only queues that differ in order need sorting.
  if (sameCodes(x.queue, y.queue)) return true;
  return sameCodes(sortChannels(x, message).queue, sortChannels(y, message).queue);
}

function sameCodes(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The last step of `list` that is `step` by receiver, sender and event key (what a map keyed by
 * `${actor}|${from}|${eventKey}` built from `list` would return), or undefined.
 */
export function findStep(list: readonly Deliverable[], step: Deliverable): Deliverable | undefined {
  for (let i = list.length - 1; i >= 0; i--) {
    const s = list[i];
    if (s.actor === step.actor && s.from === step.from && (s.event === step.event || eventKey(s.event) === eventKey(step.event))) return s;
  }
  return undefined;
}
