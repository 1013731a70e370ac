/**
 * `hypsim inspect`: a local web page (127.0.0.1 only) showing every CPU's statechart, registers and TLB,
 * the page tables and the trace step by step: a trace file, the explorer's counterexample for the given
 * system, or a live run streamed over a WebSocket. Runs until Ctrl-C (SIGINT) or SIGTERM.
 */
import { simulate } from '../actors/live';
import { explore } from '../api/explore';
import type { System } from '../api/system';
import { runLive, replayPolicy } from '../inspector/live';
import { serveInspector, type InspectorServer } from '../inspector/server';
import { liveSessionShell, traceSession, type Session } from '../inspector/session';
import { statelyInspector, type StatelyAttachment } from '../inspector/stately';
import type { TraceEntry } from '../bus/trace';
import { readVerifiedTraceFile } from '../report/trace-file';
import { InputError, InternalError } from '../util/errors';
import { parseArgs, refuseFlags } from './args';
import { checkFlagsMatchTrace, describeSystem, systemFlags, systemFrom } from './system-flags';

export const inspectHelp = `hypsim inspect [TRACE.json] [--design D --cpus N --hotplug K ...] [--port P] [options]
  Serves the inspector on http://127.0.0.1:P/ (never another interface) and prints its URL; Ctrl-C stops.
  The URL follows the step shown: http://127.0.0.1:P/#N opens step N (docs/inspector.md).
  TRACE.json            a trace file (hypsim explore/simulate --trace-out); system flags, if given, must match
  --design D --cpus N   no trace file: explore the system and show its counterexample, or, if there is
                        none, a live run (system flags as for hypsim explore)
  --live                show a live run (real actors on the RxJS bus), streamed to the page as it goes
  --seed S              live run seed, 0 to 4294967295 (default 1)
  --delay-ms D          live run: milliseconds between steps (default 200)
  --max-seconds T       explore: give up after T seconds (default 60)
  --port P              port on 127.0.0.1 (default 0: a free port)
  --stately             also attach @statelyai/inspect to live actors (a trace is re-run on live actors);
                        open the printed /stately page: it loads https://stately.ai/inspect (needs network)
exit: 0 when stopped, 2 bad input or a trace that does not replay`;

export async function inspectCommand(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const spec = { ...systemFlags, port: 'int', live: 'bool', seed: 'seed', 'delay-ms': 'int', 'max-seconds': 'number', stately: 'bool', help: 'bool' } as const;
  const p = parseArgs(argv, spec, 'inspect');
  const f = p.flags;
  if (f.help) {
    out(inspectHelp);
    return 0;
  }
  if (p.positional.length > 1) throw new InputError(`hypsim inspect: give at most one trace file, got ${p.positional.length} arguments`);
  const port = f.port ?? 0;
  if (port < 0 || port > 65535) throw new InputError(`hypsim inspect: --port must be from 0 to 65535, got ${port}`);
  const delayMs = f['delay-ms'] ?? 200;
  if (delayMs < 0) throw new InputError(`hypsim inspect: --delay-ms must be 0 or more, got ${delayMs}`);
  const maxSeconds = f['max-seconds'] ?? 60;
  if (maxSeconds <= 0) throw new InputError(`hypsim inspect: --max-seconds must be positive, got ${maxSeconds}`);
  const seed = (f.seed as number | undefined) ?? 1;

  let session: Session | undefined;
  let sys: System;
  let trace: TraceEntry[] | null = null;
  let live = false;
  if (p.positional.length === 1) {
    const path = p.positional[0];
    if (f.live) throw new InputError('hypsim inspect: --live runs a fresh simulation: give system flags, not a trace file');
    refuseFlags('inspect', f, ['seed', 'max-seconds'], 'with a trace file (they choose a run from system flags)');
    if (!f.stately) refuseFlags('inspect', f, ['delay-ms'], 'with a trace file but no --stately (the page steps through it itself)');
    // Shown only once it has replayed faithfully: an edited trace is refused like by replay.
    const read = readVerifiedTraceFile(path);
    sys = read.sys;
    checkFlagsMatchTrace(path, sys, f, 'inspect');
    trace = read.file.trace;
    session = traceSession(sys, trace, { source: `trace file ${path}`, title: describeSystem(sys), recorded: read.file.violation });
  } else {
    sys = systemFrom(f, 'inspect');
    if (f.live) {
      refuseFlags('inspect', f, ['max-seconds'], 'with --live (nothing is explored)');
      live = true;
    } else {
      const r = explore(sys, { maxSeconds });
      if (r.violation) {
        trace = r.violation.trace;
        session = traceSession(sys, trace, { source: `explore (bfs): shortest counterexample, ${r.stats.states} states searched`, title: describeSystem(sys) });
      } else {
        err(
          `hypsim inspect: ${r.result === 'verified' ? 'verified, no counterexample' : `no counterexample found (${r.stoppedBy})`}; showing a live ` +
            `run, seed ${seed}`,
        );
        live = true;
      }
    }
  }
  if (live) session = liveSessionShell(sys, { source: `live run, seed ${seed}, ${delayMs} ms per step`, title: describeSystem(sys) });
  if (!session) throw new InternalError('inspect: neither a trace nor a live run to show');
  const shown: Session = session;

  const server: InspectorServer = await serveInspector(shown, { port, stately: f.stately === true });
  out(`hypsim inspector: ${server.url}`);
  const verdict = shown.violation ? `✗ ${shown.violation.invariant} at step ${shown.violation.step}` : 'no invariant broken';
  out(`  ${describeSystem(sys)} — ${shown.info.source}${trace ? `: ${shown.builder.steps} steps, ${verdict}` : ''}`);
  const broken = trace ? shown.violation : null;
  if (broken) out(`  the breaking step: ${server.url}#${broken.step}`);
  let stately: StatelyAttachment | null = null;
  if (server.stately) {
    stately = await statelyInspector(server.stately.ws);
    out(`  Stately inspector: ${server.stately.page} (loads https://stately.ai/inspect: needs your network)`);
    await Promise.race([server.stately.connected, new Promise((r) => setTimeout(r, 3000))]);
  }
  out('  Ctrl-C to stop');

  if (live) {
    runLive(shown, { seed, delayMs, inspect: stately?.inspect }).then(
      (r) => out(`  live run ended after ${r.steps} steps: ${r.violation ? `✗ ${r.violation.invariant}` : 'no invariant broken'}`),
      (e) => err(`hypsim inspect: live run failed: ${(e as Error).message}`),
    );
  } else if (stately && trace) {
    // The recorded trace, re-run on live actors for Stately's view.
    const policy = replayPolicy(trace, sys.spec.readFields ?? []);
    simulate(sys, { policy, maxSteps: policy.steps, delayMs, inspect: stately.inspect }).catch((e) =>
      err(`hypsim inspect: Stately replay failed: ${(e as Error).message}`),
    );
  }

  return new Promise<number>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      stately?.stop();
      server.close().then(() => resolve(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
