/**
 * What the scheduler may deliver next, in a fixed order: for each actor, the oldest message from each
 * sender (channels are FIFO per sender and receiver), then the steps the actor offers on its own. The
 * explorer's engine and the live bus both use this one rule.
 */
import type { BusEvent } from './spec';

export interface Deliverable {
  /** Receiving actor. */
  readonly actor: number;
  /** Sending actor (=== actor for an offer, the actor's own step). */
  readonly from: number;
  readonly event: BusEvent;
  /** Index of the message in the queue, or -1 for an offer. */
  readonly queueIndex: number;
}

export function deliverable(
  actorCount: number,
  queue: readonly { from: number; to: number; event: BusEvent }[],
  offers: (actor: number) => readonly BusEvent[],
): Deliverable[] {
  const out: Deliverable[] = [];
  for (let a = 0; a < actorCount; a++) deliverableTo(a, queue, offers(a), out);
  return out;
}

/** The steps of one actor, in the same order (`out` receives them). */
export function deliverableTo(
  a: number,
  queue: readonly { from: number; to: number; event: BusEvent }[],
  offers: readonly BusEvent[],
  out: Deliverable[] = [],
): Deliverable[] {
  return deliverableFrom(a, queue, (m) => m, offers, out);
}

/** The same, over a queue of message codes (`message` looks them up): the engine's form, which builds no message list. */
export function deliverableFrom<Q>(
  a: number,
  queue: readonly Q[],
  message: (q: Q) => { from: number; to: number; event: BusEvent },
  offers: readonly BusEvent[],
  out: Deliverable[] = [],
): Deliverable[] {
  const senders: number[] = [];
  for (let queueIndex = 0; queueIndex < queue.length; queueIndex++) {
    const m = message(queue[queueIndex]);
    if (m.to !== a || senders.includes(m.from)) continue;
    senders.push(m.from);
    out.push({ actor: a, from: m.from, event: m.event, queueIndex });
  }
  for (const event of offers) out.push({ actor: a, from: a, event, queueIndex: -1 });
  return out;
}
