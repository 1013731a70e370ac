/**
 * Delivery policies: who decides which pending event the bus delivers next. A policy is a value you pass
 * in (like an RxJS scheduler), not a flag: a seeded random chooser for live simulations, a scripted one
 * for replays and scenarios, or any chooser of your own.
 */
import { createRng } from '../util/rng';

/** A pending delivery as a policy sees it. */
export interface Pending {
  readonly to: string;
  readonly from: string;
  readonly type: string;
  readonly event: Readonly<Record<string, unknown>>;
}

export interface DeliveryPolicy {
  /** Index into `pending` (never empty) of the delivery to make next. */
  choose(pending: readonly Pending[], step: number): number;
}

/** Uniformly random, seeded: the same seed gives the same run. */
export function randomDelivery(seed: number): DeliveryPolicy {
  const rng = createRng(seed);
  return { choose: (pending) => rng.int(pending.length) };
}

/** Always the first pending delivery (actor order, oldest message first): a deterministic default. */
export const firstDelivery: DeliveryPolicy = { choose: () => 0 };
