/** `hypsim explore --strategy random|pct --workers N | --seeds S | --redis URL`: a swarm of seeds (docs/scale.md). */
import type { ExploreResult } from '../api/explore';
import { checkRedisUrl } from '../api/redis-keys';
import { exploreSwarm, type SwarmOptions } from '../api/swarm';
import { RedisSeedRunner } from '../api/swarm-redis';
import type { System } from '../api/system';
import { renderTimeline } from '../report/timeline';
import { traceFileFor } from '../report/trace-file';
import { InputError, present } from '../util/errors';
import type { ScaleChoice, ScaleFlags } from './scale-flags';
import { type SearchFlags, searchOptions } from './search-options';
import { describeSystem } from './system-flags';
import { noTraceOut, writeTraceOut } from './trace-out';

type Format = (title: string, r: ExploreResult, timeline: () => string) => string;

type Swarm = NonNullable<ScaleChoice['swarm']>;

type Print = (s: string) => void;
type Flags = ScaleFlags &
  SearchFlags & {
    json?: boolean;
    'trace-out'?: string;
  };

export async function swarmCommand(sys: System, f: Flags, strategy: 'random' | 'pct', s: Swarm, out: Print, err: Print, format: Format): Promise<number> {
  if (f.scenario !== undefined) throw new InputError('hypsim explore: a scenario cannot run as a swarm (drop --workers/--seeds/--redis)');
  if (s.redis !== undefined) checkRedisUrl(s.redis);
  const opts: SwarmOptions = {
    strategy,
    ...searchOptions(f),
    seeds: s.seeds,
    workers: s.workers,
    ...(s.redis !== undefined ? { runner: RedisSeedRunner.factory(s.redis, err) } : {}),
  };
  const r = await exploreSwarm(sys, opts);
  const v = r.violation;
  if (f.json) out(JSON.stringify(r));
  else out(format(describeSystem(sys), r, () => renderTimeline(sys, present(r.violation, 'violation of a violation result').trace, r.violation)));
  if (f['trace-out'] !== undefined) {
    if (v) writeTraceOut('explore', f['trace-out'], traceFileFor(sys, { invariant: v.invariant, message: v.message }, v.trace), err);
    else noTraceOut('explore', f['trace-out'], err);
  }
  return r.result === 'verified' ? 0 : r.result === 'violation' ? 1 : 3;
}
