/** Typed errors. The CLI turns an InputError into one line on stderr and exit 2. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(message: string) {
    super(message);
  }
}

/** A trace that cannot be replayed on this system (other design or bounds, or a corrupted file). */
export class TraceError extends InputError {}

/** A bug in hypsim itself, never a user mistake. */
export class InternalError extends Error {
  override readonly name = 'InternalError';
}

/** `x`, which the caller's own bookkeeping guarantees is there; an InternalError naming `what` if it is not. */
export function present<T>(x: T | null | undefined, what: string): T {
  if (x === null || x === undefined) throw new InternalError(`missing ${what}`);
  return x;
}

/** A machine uses an XState feature the explorer cannot explore faithfully (docs/soundness.md lists them). */
export class UnsupportedFeatureError extends InputError {}
