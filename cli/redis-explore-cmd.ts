/** `hypsim explore --strategy bfs --redis URL`: coordinate an exhaustive bfs run by `hypsim worker`s (docs/scale.md, "Across machines"). */
import type { ExploreResult } from '../api/explore';
import { type DistributedReport, exploreOverRedis } from '../api/redis-bfs';
import { checkRedisUrl } from '../api/redis-keys';
import type { System } from '../api/system';
import { renderTimeline } from '../report/timeline';
import { traceFileFor } from '../report/trace-file';
import { InputError } from '../util/errors';
import { refuseFlags } from './args';
import type { ScaleFlags } from './scale-flags';
import { type SearchFlags, searchOptions } from './search-options';
import { describeSystem } from './system-flags';
import { noTraceOut, writeTraceOut } from './trace-out';

type Format = (title: string, r: ExploreResult, timeline: () => string) => string;
type Print = (s: string) => void;
type Flags = ScaleFlags & SearchFlags & { json?: boolean; quiet?: boolean; 'trace-out'?: string; 'redis-timeout'?: number };

/** Where it ran (a line after the figures). */
export function distributedLine(d: DistributedReport): string {
  const mem = d.redisBytesPerState === null ? '' : `, ${d.redisBytesPerState} bytes/state in Redis`;
  const who = `${d.workers} \`hypsim worker\` process${d.workers === 1 ? '' : 'es'}`;
  return `  distributed: bfs over ${d.redis}, ${who}${mem}${d.reason ? `; stopped: ${d.reason}` : ''}`;
}

export async function redisExploreCommand(
  sys: System,
  f: Flags,
  url: string,
  out: Print,
  err: Print,
  format: Format,
  interrupt?: { readonly aborted: boolean },
): Promise<number> {
  checkRedisUrl(url);
  // Limits kept by the one-process budget only (an exact state count, this process's heap), and inputs the workers cannot rebuild.
  refuseFlags(
    'explore',
    f,
    ['max-states', 'max-memory', 'exact', 'spill-dir', 'no-spill', 'frontier-in-memory', 'scenario'],
    'with --redis (the states live in Redis)',
  );
  const timeout = f['redis-timeout'] ?? 60;
  if (!(timeout > 0)) throw new InputError(`hypsim explore: --redis-timeout must be positive, got ${timeout}`);
  const { symmetry, por, maxSeconds } = searchOptions(f);
  const r = await exploreOverRedis(sys, { url, symmetry, por, maxSeconds, timeoutSeconds: timeout, interrupt, log: f.quiet ? undefined : err });
  const v = r.violation;
  if (f.json) out(JSON.stringify(r));
  else {
    const text = format(describeSystem(sys), r, () => (v ? renderTimeline(sys, v.trace, v, { legend: true }) : ''));
    const cut = text.indexOf('\n\n');
    const line = distributedLine(r.distributed);
    out(cut < 0 ? `${text}\n${line}` : `${text.slice(0, cut)}\n${line}${text.slice(cut)}`);
  }
  if (f['trace-out'] !== undefined) {
    if (v) writeTraceOut('explore', f['trace-out'], traceFileFor(sys, { invariant: v.invariant, message: v.message }, v.trace), err);
    else noTraceOut('explore', f['trace-out'], err);
  }
  return r.result === 'verified' ? 0 : r.result === 'violation' ? 1 : 3;
}
