/**
 * A trace file is evidence. Each kind of edit from issue 14 is refused with one line and exit 2 by
 * replay, export and inspect (all three read through the same verifier); faithful traces from every
 * way hypsim writes them (bfs, random with shrinking, live runs, lassos) are confirmed.
 */
import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simulate } from '../../actors/live';
import { explore, verifyTrace } from '../../api/explore';
import { system, type System } from '../../api/system';
import { allDesigns } from '../../design/design';
import type { Checkable } from '../../explore/checkable';
import { primaryEntries } from '../../explore/match';
import { reexecute } from '../../explore/reexecute';
import { traceFileFor, writeTraceFile, type TraceFile } from '../../report/trace-file';
import { TraceError } from '../../util/errors';
import { tmp, runMain as run } from './helpers';
import { spinner } from '../core/toys';

const examples = join(__dirname, '..', '..', 'examples');
const dir = tmp();
let n = 0;

function save(t: TraceFile | object): string {
  const f = join(dir, `t${n++}.json`);
  writeFileSync(f, JSON.stringify(t));
  return f;
}

function recordExplore(sys: System, strategy: 'bfs' | 'random' = 'bfs'): TraceFile {
  const r = explore(sys, { strategy, ...(strategy === 'random' ? { seed: 3, walks: 200 } : {}) });
  if (!r.violation) throw new Error(`no violation for ${sys.header.design}`);
  return traceFileFor(sys, { invariant: r.violation.invariant, message: r.violation.message }, r.violation.trace, r.violation.loop);
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
let legacy: TraceFile;
let ok: TraceFile;
beforeAll(async () => {
  legacy = recordExplore(system({ design: 'legacy', layout: 'collide', cpus: 2 }));
  const sys = system({ design: 'trampoline', cpus: 2, hotplug: 1 });
  const live = await simulate(sys, { seed: 5 });
  ok = traceFileFor(sys, live.violation, live.trace);
});

/** replay, export and inspect each refuse the file with exactly one line and exit 2. */
async function refusedEverywhere(f: string, msg: RegExp, flags: string[] = []): Promise<void> {
  for (const argv of [
    ['replay', f, ...flags],
    ['export', '--format', 'mermaid', f, ...flags],
    ['inspect', f, ...flags],
  ]) {
    const r = await run(argv);
    expect([argv[0], r.code, r.err.length]).toEqual([argv[0], 2, 1]);
    expect(r.err[0]).toMatch(msg);
    expect(r.out).toEqual([]);
  }
}

type Edit = (t: TraceFile) => void;
const lastStep = (t: TraceFile) => t.trace[t.trace.length - 1].step;
const edits: [string, () => TraceFile, Edit, RegExp][] = [
  ['deliveries appended after the violation', () => legacy, (t) => t.trace.push({ ...t.trace[0], step: lastStep(t) + 1 }), /not enabled here|goes on after/],
  [
    '100,000 deliveries appended',
    () => legacy,
    (t) => {
      for (let i = 1; i <= 100_000; i++) t.trace.push({ ...t.trace[5], step: lastStep(legacy) + i });
    },
    /not enabled here|goes on after/,
  ],
  [
    'a delivery to a CPU that does not exist',
    () => legacy,
    (t) => {
      (t.trace[3] as { to: string }).to = 'cpu7';
    },
    /step 4 .*cpu7.* is not enabled here/,
  ],
  [
    'the design renamed to trampoline on a legacy trace',
    () => legacy,
    (t) => {
      (t.system.design as { name: string }).name = 'trampoline';
    },
    /named "trampoline" but its knobs are not that design's/,
  ],
  [
    'the layout renamed to disjoint',
    () => legacy,
    (t) => {
      (t.system.layout as { name: string }).name = 'disjoint';
    },
    /named "disjoint" but its addresses are not that layout's/,
  ],
  [
    'an edited violation message',
    () => legacy,
    (t) => {
      t.violation!.message = 'cpu1 ACCESS failed';
    },
    /records the message "cpu1 ACCESS failed" but the replay gives/,
  ],
  [
    'an edited invariant',
    () => legacy,
    (t) => {
      t.violation!.invariant = 'use-after-free';
    },
    /records use-after-free but replays to wrong-translation/,
  ],
  [
    'a loop on a trace without one',
    () => legacy,
    (t) => {
      t.loop = 3;
    },
    /records a loop from step 3, but it ends by breaking wrong-translation/,
  ],
  [
    'two steps swapped',
    () => legacy,
    (t) => {
      const [a, b] = [t.trace[0], t.trace[1]];
      t.trace[0] = { ...b, step: 1 };
      t.trace[1] = { ...a, step: 2 };
    },
    /step 1 .* is not enabled here/,
  ],
  [
    'a step dropped',
    () => legacy,
    (t) => {
      t.trace.splice(4, 1);
    },
    /numbered step 6 where step 5 was due/,
  ],
  [
    'the last step dropped',
    () => legacy,
    (t) => {
      t.trace = t.trace.filter((e) => e.step !== lastStep(legacy));
    },
    /records wrong-translation but replays to no violation/,
  ],
  [
    'a caused delivery removed',
    () => ok,
    (t) => {
      const i = t.trace.findIndex((e, k) => k > 0 && e.step === t.trace[k - 1].step);
      t.trace.splice(i, 1);
    },
    /leaves out the delivery/,
  ],
  [
    'a caused delivery added',
    () => ok,
    (t) => {
      const i = t.trace.findIndex((e, k) => k > 0 && e.step === t.trace[k - 1].step);
      t.trace.splice(i, 0, { ...t.trace[i] });
    },
    /records a delivery the step does not make|does not make/,
  ],
  [
    'a read value edited',
    () => legacy,
    (t) => {
      const e = t.trace.find((x) => 'walk' in x.payload)!;
      (e.payload as Record<string, unknown>).walk = { kind: 'unmapped' };
    },
    /records .* but the step delivers|is not enabled here/,
  ],
  [
    'a violation claimed on a run that holds',
    () => ok,
    (t) => {
      t.violation = { invariant: 'wrong-translation', message: 'x' };
    },
    /records wrong-translation but replays to no violation/,
  ],
  [
    'a run that holds, truncated',
    () => ok,
    (t) => {
      t.trace = t.trace.filter((e) => e.step < 10);
    },
    /stops while steps are still enabled/,
  ],
  [
    'a knob removed',
    () => legacy,
    (t) => {
      delete (t.system.design as Partial<Record<string, unknown>>).tlbi;
    },
    /system.design lacks the knob tlbi/,
  ],
  [
    'an unknown field',
    () => legacy,
    (t) => {
      (t as unknown as Record<string, unknown>).verified = true;
    },
    /unknown field verified/,
  ],
  [
    'a knob edited',
    () => legacy,
    (t) => {
      (t.system.design as { tlbi: string }).tlbi = 'after-switch';
    },
    /knobs are not that design's|design: pgds "single" has no phase 2/,
  ],
  ['a trace payload nested 100k deep', () => legacy, () => undefined, /nested \d+ levels deep/],
];

describe('tampered trace files are refused by replay, export and inspect', () => {
  test.each(edits)('%s', async (what, base, edit, msg) => {
    const t = clone(base());
    edit(t);
    let f = save(t);
    if (what.includes('100k deep')) {
      f = join(dir, 'deep.json');
      writeFileSync(f, JSON.stringify(t).replace('"payload":{}', `"payload":{"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`));
    }
    await refusedEverywhere(f, msg);
  });

  test('system flags beside the file must describe its system: every bound and option is compared', async () => {
    const f = save(legacy);
    for (const [flags, msg] of [
      [['--design', 'trampoline'], /is for design legacy, not trampoline \(pgds/],
      [['--layout', 'disjoint'], /is for layout collide, not disjoint/],
      [['--cpus', '3'], /is for cpus 2, not 3/],
      [['--hotplug', '1'], /is for hotplug 0, not 1/],
      [['--vms', '1'], /is for vms 0, not 1/],
      [['--cpu-pm', '1'], /is for cpu-pm 0, not 1/],
      [['--tlb-scope', 'all'], /is for tlb-scope volatile, not all/],
      [['--tlb-scope', 'bogus'], /--tlb-scope must be volatile or all/],
      [['--hotplug-from-boot'], /recorded without --hotplug-from-boot/],
    ] as const)
      await refusedEverywhere(f, msg, [...flags]);
  });

  test('a preset and an equal design or layout file compare equal', async () => {
    const f = save(legacy);
    const r = await run([
      'replay',
      f,
      '--quiet',
      '--design',
      join(examples, 'designs', 'legacy.json'),
      '--layout',
      join(examples, 'layouts', 'collide.json'),
      '--cpus',
      '2',
      '--hotplug',
      '0',
      '--cpu-pm',
      '0',
      '--tlb-scope',
      'volatile',
    ]);
    expect([r.code, r.err]).toEqual([1, []]);
  });

  test('random edits of single fields are never confirmed', async () => {
    const base = JSON.stringify(legacy);
    const field = fc.constantFrom('to', 'from', 'event', 'step', 'payload');
    await fc.assert(
      fc.asyncProperty(fc.nat(legacy.trace.length - 1), field, fc.oneof(fc.string({ maxLength: 6 }), fc.integer({ min: -2, max: 40 })), async (i, k, v) => {
        const t = clone(legacy);
        const e = t.trace[i] as unknown as Record<string, unknown>;
        if (k === 'payload') e.payload = { ...(e.payload as object), cpu: v };
        else e[k] = v;
        fc.pre(JSON.stringify(t) !== base);
        const r = await run(['replay', save(t), '--quiet']);
        expect([r.code, r.err.length]).toEqual([2, 1]);
      }),
      { numRuns: 40 },
    );
  });
});

describe('faithful traces are confirmed, however hypsim wrote them', () => {
  test('every preset and mutant with a counterexample on 2 CPUs, K=1: bfs traces replay as recorded', async () => {
    let checked = 0;
    for (const d of allDesigns) {
      const sys = system({ design: d.name, cpus: 2, hotplug: 1 });
      const r = explore(sys, { maxStates: 20_000 });
      if (!r.violation) continue;
      const f = save(traceFileFor(sys, { invariant: r.violation.invariant, message: r.violation.message }, r.violation.trace));
      const rr = await run(['replay', f, '--quiet', '--design', d.name]);
      expect([d.name, rr.code, rr.err]).toEqual([d.name, 1, []]);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(6);
  });
  test('a random run’s shrunk counterexample and live runs replay as recorded', async () => {
    const f = save(recordExplore(system({ design: 'no-cpu-notifier', cpus: 3, hotplug: 1 }), 'random'));
    expect((await run(['replay', f, '--quiet'])).code).toBe(1);
    for (const seed of [1, 2, 3]) {
      const sys = system({ design: 'free-boot-pgd', cpus: 2, hotplug: 1 });
      const live = await simulate(sys, { seed });
      const r = await run(['replay', save(traceFileFor(sys, live.violation, live.trace)), '--quiet']);
      expect([seed, r.code, r.err]).toEqual([seed, live.violation ? 1 : 0, []]);
    }
    expect((await run(['replay', save(ok), '--quiet'])).code).toBe(0);
  });
  test('a lasso is confirmed with its loop, refused with another loop or none', () => {
    const sys = system({ spec: spinner('a') });
    const r = explore(sys);
    expect(r.violation?.loop).toBeDefined();
    const v = { invariant: r.violation!.invariant, message: r.violation!.message };
    expect(verifyTrace(sys, r.violation!.trace, { violation: v, loop: r.violation!.loop }).violation).toEqual(v);
    expect(() => verifyTrace(sys, r.violation!.trace, { violation: v, loop: r.violation!.loop! + 1 })).toThrow(TraceError);
    expect(() => verifyTrace(sys, r.violation!.trace, { violation: v })).toThrow(TraceError);
  });
});

test('the files written are the files read: a round trip through writeTraceFile', () => {
  const f = join(dir, 'round.json');
  writeTraceFile(f, legacy);
  expect(JSON.parse(readFileSync(f, 'utf8'))).toEqual(JSON.parse(JSON.stringify(legacy)));
});

describe('the one re-executor', () => {
  test('yields before / step / deliveries / after for each step, chained, in both modes', () => {
    const sys = system({ design: 'legacy', layout: 'collide', cpus: 2 });
    const engine: Checkable = sys.engine({ symmetry: false });
    for (const mode of ['strict', 'lenient'] as const) {
      const steps = [...reexecute(engine, legacy.trace, mode)];
      expect(steps.map((s) => s.step)).toEqual(primaryEntries(legacy.trace).map((e) => e.step));
      steps.forEach((s, i) => {
        expect(engine.key(s.before)).toBe(engine.key(i ? steps[i - 1].after : engine.initial()));
        expect(s.deliveries[0].event.type).toBe(s.entry.event);
      });
    }
    // Lenient mode (shrinking) skips a step that is not enabled; strict mode refuses it.
    const edited = legacy.trace.map((e) => (e.step === 3 ? { ...e, to: 'cpu9' } : e));
    expect([...reexecute(engine, edited, 'lenient')].length).toBeLessThan(lastStep(legacy));
    expect(() => [...reexecute(engine, edited, 'strict')]).toThrow(TraceError);
  });
});
