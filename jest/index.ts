/**
 * `import 'hypsim/jest'`: registers the interleaving matchers with Jest's `expect` and declares their types.
 *
 *   import { system } from 'hypsim';
 *   import 'hypsim/jest';
 *
 *   test('the seed fix holds', () => {
 *     expect(system({ design: 'trampoline', cpus: 3, hotplug: 2, vms: 1 })).toHoldInAllInterleavings();
 *   });
 *   test('v3.9 on a 1G/3G split', () => {
 *     expect(system({ design: 'legacy', layout: 'collide', cpus: 2 })).toBeViolatedBy('wrong-translation');
 *   });
 *
 * Elsewhere (another runner with a Jest-compatible expect): `expect.extend(hypsimMatchers)`.
 */
import { hypsimMatchers, type InterleavingOptions } from './matchers';

export { hypsimMatchers, toBeViolatedBy, toHoldInAllInterleavings } from './matchers';
export type { InterleavingOptions } from './matchers';
export { explainResult, describeSystemOf } from './explain';
export type { ExplainOptions } from './explain';
export { forAllInterleavings, InterleavingError } from '../api/for-all';
export type { ForAllOptions, ForAllResult, InterleavingState, ActorState } from '../api/for-all';
export { scenario } from '../scenario/scenario';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    // biome-ignore lint/complexity/noBannedTypes: a merged declaration must repeat @types/jest's type parameters exactly.
    interface Matchers<R, T = {}> {
      /**
       * Every interleaving of the system holds every invariant (exhaustive search; `options` as for
       * `explore()`). Fails with the shortest counterexample as a per-CPU timeline. An incomplete search
       * fails with and without `.not`.
       */
      toHoldInAllInterleavings(options?: InterleavingOptions): R;
      /**
       * The search finds a violation of exactly `invariant` (e.g. 'wrong-translation'). Fails if the system
       * is verified or another invariant breaks first, and shows what was found.
       */
      toBeViolatedBy(invariant: string, options?: InterleavingOptions): R;
    }
  }
}

declare module 'expect' {
  interface Matchers<R extends void | Promise<void>, T = unknown> {
    /** See `jest.Matchers.toHoldInAllInterleavings`. */
    toHoldInAllInterleavings(options?: InterleavingOptions): R;
    /** See `jest.Matchers.toBeViolatedBy`. */
    toBeViolatedBy(invariant: string, options?: InterleavingOptions): R;
  }
}

type Extendable = { extend(matchers: Record<string, unknown>): void };

function register(): boolean {
  const g = (globalThis as { expect?: Partial<Extendable> }).expect;
  if (g && typeof g.extend === 'function') {
    g.extend(hypsimMatchers);
    return true;
  }
  try {
    // Jest with injectGlobals: false.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('@jest/globals') as { expect: Extendable }).expect.extend(hypsimMatchers);
    return true;
  } catch {
    return false;
  }
}

/** Whether importing this module found an `expect` to extend. */
export const registered: boolean = register();
