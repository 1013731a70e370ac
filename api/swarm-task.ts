/**
 * What a swarm sends to its workers (threads or `hypsim worker` processes): the system as plain data and
 * the sampling options, then one job per seed. `runSeed` is what every worker runs for a job.
 */
import type { SearchResult } from '../explore/result';
import { InputError, InternalError } from '../util/errors';
import { explore, type ExploreResult } from './explore';
import { system, type HypSystemOptions, type System } from './system';

export interface SwarmTask {
  /** The HYP system, design and layout resolved to values (structured-clone / JSON safe). */
  config: HypSystemOptions;
  strategy: 'random' | 'pct';
  walks: number;
  pctDepth?: number;
  por: boolean;
  symmetry: boolean;
  maxStates?: number;
}

export interface SeedJob {
  seed: number;
  /** Seconds left before the swarm's deadline. */
  maxSeconds?: number;
}

const stopReasons = ['max-states', 'max-seconds', 'max-memory', 'interrupted', 'walks'] as const;

/** A seed's result as a swarm combines it, with the engine figures the summary adds up. */
export type SeedResult = SearchResult & { engine: ExploreResult['engine'] };

export function swarmTask(sys: System, o: Omit<SwarmTask, 'config'>): SwarmTask {
  if (!sys.hyp) throw new InputError('a swarm needs a HYP system (design, layout, bounds) its workers can rebuild; run seeds of your own machines in a loop');
  const c = sys.hyp.config;
  const config = { design: c.design, layout: c.layout, cpus: c.cpus, hotplug: c.hotplug, vms: c.vms, hotplugFromBoot: c.hotplugFromBoot, cpuPm: c.cpuPm };
  return { ...o, config: { ...config, tlbScope: c.tlbScope } };
}

const systems = new WeakMap<SwarmTask, System>();

export function runSeed(task: SwarmTask, job: SeedJob): SeedResult {
  let sys = systems.get(task);
  if (!sys) {
    sys = system(task.config);
    systems.set(task, sys);
  }
  const { strategy, walks, pctDepth, por, symmetry, maxStates } = task;
  const r = explore(sys, { strategy, seed: job.seed, walks, pctDepth, por, symmetry, maxStates, maxSeconds: job.maxSeconds });
  if (r.result === 'unsatisfiable') throw new InputError('a swarm seed returned a scenario result');
  const { stats, engine } = r;
  if (r.result === 'violation') return { result: 'violation', violation: r.violation, stats, engine };
  if (r.result === 'verified') return { result: 'verified', stats, engine };
  const stoppedBy = stopReasons.find((why) => why === r.stoppedBy);
  if (!stoppedBy) throw new InternalError(`a swarm seed stopped for an unknown reason: ${r.stoppedBy}`);
  return { result: 'incomplete', stoppedBy, stats, engine };
}
