/**
 * Live runs: the system's machines as real actors on the RxJS bus, one interleaving chosen by a
 * delivery policy (seeded random by default). Same seed, same run.
 */
import { queueScheduler, type SchedulerLike } from 'rxjs';
import type { System } from './system';
import { randomDelivery, type DeliveryPolicy } from '../bus/delivery';
import { LiveBus, type LiveBusOptions, type LiveOutcome } from '../bus/live-bus';

export interface SimulateOptions {
  seed?: number;
  /** Overrides the seeded random policy. */
  policy?: DeliveryPolicy;
  /** Default: queueScheduler (synchronous, fastest); the inspector uses a delaying scheduler to watch. */
  scheduler?: SchedulerLike;
  delayMs?: number;
  maxSteps?: number;
  /** Called with the bus before the run starts (to subscribe to deliveries$ / steps$). */
  attach?: (bus: LiveBus<unknown>) => void;
  /** XState inspection observer for every actor (`hypsim inspect --stately` passes @statelyai/inspect's). */
  inspect?: LiveBusOptions['inspect'];
}

export async function simulate(sys: System, opts: SimulateOptions = {}): Promise<LiveOutcome & { seed: number }> {
  const seed = opts.seed ?? 1;
  const bus = new LiveBus(sys.spec, {
    policy: opts.policy ?? randomDelivery(seed),
    scheduler: opts.scheduler ?? queueScheduler,
    delayMs: opts.delayMs,
    maxSteps: opts.maxSteps,
    inspect: opts.inspect,
  });
  opts.attach?.(bus);
  const out = await bus.run();
  return { ...out, seed };
}
