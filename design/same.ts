/** Designs compare by their knobs, never by name: a preset and an equal design file are the same system. */
import { knobs, type Design } from './design';

/** The first knob on which `a` and `b` differ, as "knob: a vs b", or null if they run the same. */
export function knobDifference(a: Design, b: Design): string | null {
  for (const k of knobs) if (a[k] !== b[k]) return `${k}: ${JSON.stringify(a[k])} vs ${JSON.stringify(b[k])}`;
  return null;
}
