/** Layouts compare by their addresses, never by name: a preset and an equal layout file are the same system. */
import { stableStringify } from '../util/stable';
import type { Layout } from './layout';

/** The first field on which `a` and `b` differ (name aside), or null if every address agrees. */
export function layoutDifference(a: Layout, b: Layout): string | null {
  for (const k of Object.keys({ ...a, ...b }) as (keyof Layout)[]) {
    if (k === 'name') continue;
    if (stableStringify(a[k]) !== stableStringify(b[k])) return `${k}: ${stableStringify(a[k])} vs ${stableStringify(b[k])}`;
  }
  return null;
}
