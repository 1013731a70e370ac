/**
 * Portable keys: a state named by content alone (local-state keys, shared memory as JSON, messages by
 * sender, receiver and event), so that every process that built the same system names a state the same
 * way and can rebuild it, whatever intern codes it gave the parts. The text is JSON:
 * `{"l":[local keys, distinct, first use first],"a":[index into l, per actor],"g":memory,"q":[[from,to,event]…]}`.
 * Only plain data (JSON's values) survives that trip unchanged, so anything else is refused.
 */
import { InputError, UnsupportedFeatureError } from '../util/errors';

/** The content of a state, as the engine hands it over: pieces of JSON text, already canonical. */
export interface PortableParts {
  /** Local-state key (JSON text) of each actor. */
  readonly locals: readonly string[];
  /** Shared memory as canonical JSON text. */
  readonly global: string;
  /** Each pending message as the JSON text `[from,to,event]`, in channel order. */
  readonly queue: readonly string[];
}

export function encodePortable(p: PortableParts): string {
  const table: string[] = [];
  const index = new Map<string, number>();
  const at = p.locals.map((l) => {
    let i = index.get(l);
    if (i === undefined) {
      i = table.push(l) - 1;
      index.set(l, i);
    }
    return i;
  });
  return `{"l":[${table.join(',')}],"a":[${at.join(',')}],"g":${p.global},"q":[${p.queue.join(',')}]}`;
}

/** A portable key taken apart: each actor's local state, the memory and the messages, as JSON values. */
export interface ParsedPortable {
  readonly locals: readonly unknown[];
  readonly global: unknown;
  readonly queue: readonly { readonly from: number; readonly to: number; readonly event: unknown }[];
}

const isIndex = (x: unknown, below: number): x is number => Number.isInteger(x) && (x as number) >= 0 && (x as number) < below;

export function parsePortable(key: string, actorCount: number): ParsedPortable {
  const bad = (why: string) => new InputError(`not a portable key of this system (${why}): ${key.length > 80 ? `${key.slice(0, 80)}…` : key}`);
  let v: { l?: unknown; a?: unknown; g?: unknown; q?: unknown };
  try {
    v = JSON.parse(key);
  } catch {
    throw bad('not JSON');
  }
  if (typeof v !== 'object' || v === null || !Array.isArray(v.l) || !Array.isArray(v.a) || !Array.isArray(v.q) || !('g' in v)) throw bad('wrong shape');
  const table = v.l;
  if (v.a.length !== actorCount) throw bad(`${v.a.length} actors, this system has ${actorCount}`);
  const locals = v.a.map((i) => {
    if (!isIndex(i, table.length)) throw bad('a local-state index out of range');
    return table[i];
  });
  const queue = v.q.map((m) => {
    if (!Array.isArray(m) || m.length !== 3 || !isIndex(m[0], actorCount) || !isIndex(m[1], actorCount)) throw bad('a malformed message');
    return { from: m[0] as number, to: m[1] as number, event: m[2] };
  });
  return { locals, global: v.g, queue };
}

/** Throw unless `v` is plain data (what JSON gives back equal): `what` names where it was found. */
export function requirePlainData(v: unknown, what: string): void {
  const why = notPlain(v);
  if (why !== null) throw new UnsupportedFeatureError(`${what} holds ${why}, which a portable key cannot carry (only plain JSON data)`);
}

function notPlain(v: unknown): string | null {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return null;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0) ? null : `the number ${String(v)}`;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      if (v[i] === undefined) return 'undefined in an array';
      const w = notPlain(v[i]);
      if (w !== null) return w;
    }
    return null;
  }
  if (typeof v !== 'object') return `a value of type ${typeof v}`;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return `an object of class ${(v as object).constructor?.name ?? '?'}`;
  for (const x of Object.values(v)) {
    const w = x === undefined ? null : notPlain(x);
    if (w !== null) return w;
  }
  return null;
}
