/** The deterministic key of an event (memoised per event object): what transition and write memos are keyed by. */
import { stableStringify } from '../util/stable';
import type { BusEvent } from './spec';

const eventKeys = new WeakMap<object, string>();

export function eventKey(e: BusEvent): string {
  let k = eventKeys.get(e);
  if (k === undefined) {
    k = stableStringify(e);
    eventKeys.set(e, k);
  }
  return k;
}
