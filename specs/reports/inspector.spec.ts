/**
 * The inspector without a browser: statecharts read from the XState definitions, the per-step model a
 * page shows (states, registers, TLBs with stale entries, page tables, the breaking step), live runs
 * streamed over the WebSocket, the server's 127.0.0.1-only contract and `hypsim inspect` itself.
 * The page in Chromium: specs/e2e/inspector.e2e.spec.ts.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { createMachine } from 'xstate';
import { simulate } from '../../actors/live';
import { explore } from '../../api/explore';
import { system } from '../../api/system';
import { runLive, replayPolicy } from '../../inspector/live';
import { renderDiagram } from '../../inspector/diagram';
import { pruneChart } from '../../inspector/prune';
import { assetDir, serveInspector } from '../../inspector/server';
import { liveSessionShell, traceSession, type Batch, type CpuView, type SessionData } from '../../inspector/session';
import { allStates, chartOf, chartsOf, leafPaths } from '../../inspector/statechart';
import { hypsim, startInspect, tmp } from '../cli/helpers';

const legacy = () => system({ design: 'legacy', layout: 'collide', cpus: 2, hotplug: 0 });
const legacyTrace = () => {
  const r = explore(legacy());
  if (!r.violation) throw new Error('legacy on collide should break wrong-translation');
  return r.violation.trace;
};

describe('statecharts, read from the XState definitions', () => {
  test('the CPU machine: its state tree and transitions come from machine.root', () => {
    const sys = legacy();
    const charts = chartsOf(sys.spec.actors);
    expect(charts.map((c) => c.name)).toEqual(['kernel', 'cpu', 'hotplug']);
    const cpu = charts.find((c) => c.name === 'cpu')!;
    expect(cpu.actors).toEqual(['cpu0', 'cpu1']);
    const paths = allStates(cpu.chart).map((s) => s.path);
    expect(paths).toEqual(
      expect.arrayContaining(['', 'off', 'off.stub', 'off.offline', 'idmap', 'idmap.set-vectors', 'idmap.set-stack', 'idmap.eret', 'runtime', 'fault']),
    );
    expect(cpu.chart.edges).toEqual(
      expect.arrayContaining([
        { source: 'off.stub', targets: ['idmap.set-vectors'], event: 'INIT', guarded: false },
        { source: '', targets: ['off.offline'], event: 'CPU_DOWN', guarded: false },
        expect.objectContaining({ source: 'idmap.set-stack', targets: ['fault'], event: 'SET_STACK', guarded: true }),
      ]),
    );
    // The kernel's eventless transition out of on_each_cpu's wait is there too (trampoline design).
    const kernel = chartsOf(system({ design: 'trampoline', cpus: 2 }).spec.actors).find((c) => c.name === 'kernel')!;
    expect(kernel.chart.edges.some((e) => e.event === 'always' && e.source === 'wait-cpus')).toBe(true);
  });

  test('any machine is drawn from its definition: every state a box, every transition an arrow', () => {
    const m = createMachine({
      id: 'm',
      initial: 'a',
      states: { a: { on: { GO: 'b', STAY: {} } }, b: { initial: 'x', states: { x: { on: { UP: '#m.a', NEXT: 'y' } }, y: {} } } },
    });
    const chart = chartOf(m);
    const d = renderDiagram(chart, 'm');
    for (const p of ['', 'a', 'b', 'b.x', 'b.y']) expect(d.svg).toContain(`data-path="${p}"`);
    expect(d.svg).toContain('data-event="GO" data-source="a" data-target="b"');
    expect(d.svg).toContain('data-event="UP" data-source="b.x" data-target="a"');
    expect(d.svg).toContain('data-event="NEXT" data-source="b.x" data-target="b.y"');
    expect(d.svg).not.toContain('data-event="STAY"'); // targetless: listed in the state's tooltip, not drawn
    expect(d.svg).not.toMatch(/https?:\/\//);
    expect(d.width).toBeGreaterThan(0);
  });

  test('VMs share one diagram; state values become leaf paths', () => {
    const charts = chartsOf(system({ design: 'trampoline', cpus: 2, vms: 3 }).spec.actors);
    expect(charts.find((c) => c.name === 'vm')!.actors).toEqual(['vm0', 'vm1', 'vm2']);
    expect(leafPaths('runtime')).toEqual(['runtime']);
    expect(leafPaths({ 'boot-pgd': 'set-pgd' })).toEqual(['boot-pgd.set-pgd']);
    expect(leafPaths({ p: { a: 'x', b: 'y' } })).toEqual(['p.a.x', 'p.b.y']);
  });
});

describe('diagrams leave out what a run can never enter', () => {
  const m = createMachine({
    id: 'm',
    initial: 'a',
    on: { RESET: '.a' },
    states: {
      a: { on: { GO: 'b', SLEEP: 'z' } },
      b: { initial: 'x', states: { x: { on: { NEXT: { target: 'y', guard: () => false } } }, y: { on: { DOZE: '#m.z' } } } },
      z: { on: { WAKE: 'a' } },
      w: {},
    },
  });

  test('states reached only by unsent events are hidden; guards are ignored (a guarded state stays)', () => {
    const none = pruneChart(chartOf(m), new Set());
    // w has no way in at all; everything else does.
    expect(none.hidden).toEqual(['w']);
    const noSleep = pruneChart(chartOf(m), new Set(['SLEEP', 'DOZE']));
    expect([...noSleep.hidden].sort()).toEqual(['w', 'z']);
    expect(allStates(noSleep.chart).map((x) => x.path)).toEqual(['', 'a', 'b', 'b.x', 'b.y']);
    expect(noSleep.chart.edges.some((e) => e.event === 'WAKE' || e.event === 'SLEEP')).toBe(false);
    // b.y is behind a guard that is always false here: still drawn (over-approximation, never under).
    expect(noSleep.hidden).not.toContain('b.y');
    // Where an actor starts is always drawn.
    expect(pruneChart(chartOf(m), new Set(['SLEEP', 'DOZE']), ['z']).hidden).toEqual(['w']);
  });

  test('legacy without CPU PM or hotplug: no off.idle, no off.offline; drawn when the run has them', () => {
    const names = (sys: ReturnType<typeof system>) => traceSession(sys, [], { source: 's', title: 't' }).info.charts.find((c) => c.name === 'cpu')!;
    const plain = names(legacy());
    expect(plain.hidden).toEqual(expect.arrayContaining(['off.idle', 'off.offline']));
    expect(plain.svg).not.toContain('data-path="off.idle"');
    expect(plain.hiddenWhy).toBe('no CPU PM in this run (--cpu-pm 0), no hotplug in this run (--hotplug 0)');
    const both = names(system({ design: 'trampoline-v3.15', layout: 'collide', cpus: 2, hotplug: 1, cpuPm: 1 }));
    expect(both.hidden).toEqual([]);
    expect(both.svg).toContain('data-path="off.idle"');
    expect(both.svg).toContain('data-path="off.offline"');
  });

  test('no two transition labels of the CPU chart overlap (labels measured as the diagram lays them out)', () => {
    // Every preset, every state drawn (CPU PM and hotplug on): legacy's chart crowded off/idmap before.
    const designs = ['legacy', 'trampoline', 'trampoline-v3.15', 'hyp-reset'];
    const all = designs.flatMap((design) => chartsOf(system({ design, layout: 'collide', cpus: 2, hotplug: 1, cpuPm: 1 }).spec.actors));
    for (const c of all) {
      const svg = renderDiagram(c.chart, c.name).svg;
      const label = /<g class="edge[^"]*"[^>]*><path[^>]*\/><text x="([\d.]+)" y="([\d.]+)" text-anchor="(\w+)">([^<]*)<\/text>/g;
      const labels = [...svg.matchAll(label)].map((g) => {
        const w = g[4].length * 5.6 + 4;
        const x = Number(g[1]) - (g[3] === 'middle' ? w / 2 : 0);
        return { t: g[4], x, y: Number(g[2]) - 9, w, h: 11 };
      });
      if (c.name === 'cpu') expect(labels.length).toBeGreaterThan(10);
      const meet = (a: (typeof labels)[number], b: (typeof labels)[number]) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
      const clash = labels.flatMap((a, i) =>
        labels
          .slice(i + 1)
          .filter((b) => meet(a, b))
          .map((b) => `${a.t} / ${b.t}`),
      );
      expect(clash).toEqual([]);
    }
  });
});

describe('the per-step model of a trace (legacy counterexample)', () => {
  const sys = legacy();
  const trace = legacyTrace();
  const session = traceSession(sys, trace, { source: 'test', title: 'legacy' });
  const data = session.data();
  const idx = (id: string) => data.static.actors.findIndex((a) => a.id === id);
  const cpu = (frame: number, id: string) => data.tables.views[data.frames[frame].c[idx(id)]] as CpuView;
  const state = (frame: number, id: string) => data.tables.states[data.frames[frame].s[idx(id)]];

  test('a frame per step, the initial state first, and the step that breaks wrong-translation', () => {
    expect(data.frames).toHaveLength(25);
    expect(data.frames.map((f) => f.step)).toEqual([...Array(25).keys()]);
    expect(data.violation).toMatchObject({ invariant: 'wrong-translation', step: 24, actor: 'cpu0' });
    expect(data.violation!.message).toMatch(/stale TLB entry/);
    expect(state(0, 'cpu0')).toBe('off.stub');
    expect(state(23, 'cpu0')).toBe('runtime');
    expect(data.done).toBe(true);
  });

  test("at the breaking step: cpu0 in fault, its TLB entry for 0x80208000 stale (hyp_pgd now maps cpu0's stack there)", () => {
    expect(state(24, 'cpu0')).toBe('fault');
    expect(state(24, 'cpu1')).toBe('runtime');
    const c0 = cpu(24, 'cpu0');
    expect(c0).toMatchObject({ httbr: 'hyp_pgd', mmu: true, hvbar: 'runtime', hsp: 'stack', fault: { invariant: 'wrong-translation' } });
    expect(c0.tlb).toEqual([{ va: '0x80208000', pa: '0x80208000', page: 'init page', walk: 'PA 0xc0208000 (stack cpu0)', stale: true }]);
    const hyp = data.tables.mems[data.frames[24].m].pgds.find((p) => p.key === 'hyp')!;
    expect(hyp.entries).toContainEqual({ va: '0x80208000', pa: '0xc0208000', page: 'stack cpu0' });
    expect(data.frames[24].used).toEqual({ cpu: 'cpu0', va: '0x80208000', via: 'tlb', pgd: 'hyp' });
    expect(data.frames[24].l.map((l) => l.text).join(' ')).toMatch(/STALE entry, cached at step \d+ through hyp_pgd/);
  });

  test("an entry is stale exactly when a walk of the CPU's pgd gives another PA", () => {
    let fresh = 0;
    let stale = 0;
    data.frames.forEach((f, i) => {
      const mem = data.tables.mems[f.m];
      for (const id of ['cpu0', 'cpu1']) {
        const v = cpu(i, id);
        const pgd = mem.pgds.find((p) => p.name === v.httbr);
        for (const e of v.tlb) {
          const mapped = pgd?.entries.find((x) => x.va === e.va);
          expect(e.stale).toBe(!mapped || mapped.pa !== e.pa);
          if (e.stale) stale++;
          else fresh++;
        }
      }
    });
    expect(fresh).toBeGreaterThan(0);
    expect(stale).toBeGreaterThan(0);
  });

  test('frames index interned tables: equal values are stored once', () => {
    const distinct = new Set(data.tables.views.map((v) => JSON.stringify(v)));
    expect(distinct.size).toBe(data.tables.views.length);
    expect(data.tables.mems.length).toBeLessThan(data.frames.length);
  });

  test('a trace that does not fit the system is refused', () => {
    const bad = trace.map((e) => (e.step === 3 ? { ...e, to: 'cpu1' } : e));
    expect(() => traceSession(sys, bad, { source: 'x', title: 'x' })).toThrow(/trace step 3 .*is not enabled/);
  });
});

describe('live runs feed the same model', () => {
  test('a live run gives the frames a replay of its trace gives', async () => {
    const sys = system({ design: 'trampoline', cpus: 2, hotplug: 1, vms: 1 });
    const live = liveSessionShell(sys, { source: 'live', title: 't' });
    const r = await runLive(live, { seed: 3, delayMs: 0 });
    expect(live.done).toBe(true);
    expect(live.builder.steps).toBe(r.steps);
    const replayed = traceSession(sys, live.builder.trace, { source: 'x', title: 't' }).data();
    const a = live.data();
    const flat = (d: SessionData) =>
      d.frames.map((f) => ({ s: f.s.map((i) => d.tables.states[i]), c: f.c.map((i) => d.tables.views[i]), m: d.tables.mems[f.m], l: f.l, d: f.d }));
    expect(flat(a)).toEqual(flat(replayed));
    expect(a.frames.every((f, i) => i === 0 || f.l.length > 0)).toBe(true);
  });

  test('replayPolicy re-runs a recorded trace on live actors; the inspect option reaches every actor', async () => {
    const sys = legacy();
    const trace = legacyTrace();
    const seen = new Set<string>();
    const actors = new Set<string>();
    const r = await simulate(sys, {
      policy: replayPolicy(trace, sys.spec.readFields ?? []),
      inspect: (e) => {
        seen.add(e.type);
        if (e.type === '@xstate.actor') actors.add(e.actorRef.sessionId);
      },
    });
    expect(r.trace).toEqual(trace);
    expect(r.violation?.invariant).toBe('wrong-translation');
    expect([...seen]).toEqual(expect.arrayContaining(['@xstate.actor', '@xstate.event', '@xstate.snapshot']));
    expect(actors.size).toBe(sys.spec.actors.length);
  });
});

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; type: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type'] ?? '') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the server: 127.0.0.1 only, every asset from the package', () => {
  test('serves the page, its assets and the session; nothing from elsewhere; foreign hosts refused', async () => {
    const session = traceSession(legacy(), legacyTrace(), { source: 'test', title: 'legacy' });
    const server = await serveInspector(session, { port: 0 });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await get(server.url);
      expect(page.status).toBe(200);
      expect(page.type).toMatch(/text\/html/);
      for (const [path, type] of [
        ['app.js', /javascript/],
        ['style.css', /text\/css/],
      ] as const) {
        const a = await get(server.url + path);
        expect(a.status).toBe(200);
        expect(a.type).toMatch(type);
      }
      // No CDN, no external URL in anything the page loads.
      for (const f of ['index.html', 'app.js', 'style.css'])
        expect(readFileSync(join(assetDir(), f), 'utf8')).not.toMatch(/(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i);
      expect(page.body).toMatch(/<script src="\/app\.js"><\/script>/);
      const s = JSON.parse((await get(`${server.url}api/session`)).body) as SessionData;
      expect(s.frames).toHaveLength(25);
      expect(s.static.charts.map((c) => c.name)).toEqual(['kernel', 'cpu', 'hotplug']);
      expect((await get(`${server.url}nope`)).status).toBe(404);
      expect((await get(`${server.url}stately`)).status).toBe(404);
      expect((await get(server.url, { host: `evil.example:${server.port}` })).status).toBe(403);
      // A page of another origin cannot open the WebSocket.
      await expect(
        new Promise((resolve, reject) => {
          const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { origin: 'http://evil.example' });
          ws.on('open', () => resolve('open'));
          ws.on('error', reject);
        }),
      ).rejects.toThrow(/403/);
    } finally {
      await server.close();
    }
  });

  test('a live run streams to a WebSocket client in batches that rebuild the whole session', async () => {
    const sys = system({ design: 'trampoline', cpus: 2, hotplug: 1 });
    const session = liveSessionShell(sys, { source: 'live', title: 't' });
    const server = await serveInspector(session, { port: 0 });
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
      const mine = { frames: [] as unknown[], states: [] as string[], views: [] as unknown[], mems: [] as unknown[] };
      const init = session.data();
      mine.frames.push(...init.frames);
      mine.states.push(...init.tables.states);
      mine.views.push(...init.tables.views);
      mine.mems.push(...init.tables.mems);
      let batches = 0;
      const done = new Promise<void>((resolve, reject) => {
        ws.on('message', (m) => {
          const b = JSON.parse(String(m)) as Batch;
          try {
            expect(b.from).toEqual({ frames: mine.frames.length, states: mine.states.length, views: mine.views.length, mems: mine.mems.length });
          } catch (e) {
            reject(e);
          }
          batches++;
          mine.frames.push(...b.frames);
          mine.states.push(...b.states);
          mine.views.push(...b.views);
          mine.mems.push(...b.mems);
          if (b.done) resolve();
        });
      });
      await new Promise((r) => ws.on('open', r));
      ws.send(
        JSON.stringify({ type: 'hello', have: { frames: mine.frames.length, states: mine.states.length, views: mine.views.length, mems: mine.mems.length } }),
      );
      const out = await runLive(session, { seed: 5, delayMs: 1, flushMs: 20 });
      await done;
      ws.close();
      expect(batches).toBeGreaterThan(1);
      const all = session.data();
      expect(mine.frames).toEqual(all.frames);
      expect(mine.states).toEqual(all.tables.states);
      expect(mine.views).toEqual(all.tables.views);
      expect(mine.frames).toHaveLength(out.steps + 1);
    } finally {
      await server.close();
    }
  });
});

describe('hypsim inspect', () => {
  const dir = tmp();
  const file = join(dir, 'legacy.json');
  beforeAll(() => {
    expect(hypsim('explore', '--design', 'legacy', '--layout', 'collide', '--cpus', '2', '--hotplug', '0', '--trace-out', file, '--quiet').code).toBe(1);
  });

  test('a trace file: prints its 127.0.0.1 URL, serves the trace, stops cleanly on SIGTERM', async () => {
    const s = await startInspect(file, '--port', '0');
    try {
      expect(s.stdout()).toMatch(/legacy on collide, 2 CPUs.*24 steps, ✗ wrong-translation at step 24/);
      // A link straight to the breaking step (the page's URL hash is the step).
      expect(s.stdout()).toContain(`  the breaking step: ${s.url}#24\n`);
      const d = JSON.parse((await get(`${s.url}api/session`)).body) as SessionData;
      expect(d.static).toMatchObject({ mode: 'trace', source: `trace file ${file}` });
      expect(d.violation).toMatchObject({ invariant: 'wrong-translation', step: 24 });
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  test("system flags without a trace: the explorer's counterexample; --live: a live run", async () => {
    const s = await startInspect('--design', 'legacy', '--cpus', '2', '--port', '0');
    try {
      const d = JSON.parse((await get(`${s.url}api/session`)).body) as SessionData;
      expect(d.static.source).toMatch(/explore \(bfs\)/);
      expect(d.violation?.invariant).toBe('wrong-translation');
    } finally {
      await s.stop();
    }
    const l = await startInspect('--design', 'trampoline', '--cpus', '2', '--live', '--delay-ms', '0', '--port', '0');
    try {
      const t0 = Date.now();
      let d = JSON.parse((await get(`${l.url}api/session`)).body) as SessionData;
      while (!d.done && Date.now() - t0 < 20000) {
        await new Promise((r) => setTimeout(r, 100));
        d = JSON.parse((await get(`${l.url}api/session`)).body) as SessionData;
      }
      expect(d.static.mode).toBe('live');
      expect(d.done).toBe(true);
      expect(d.frames.length).toBeGreaterThan(20);
      expect(d.violation).toBeNull();
    } finally {
      await l.stop();
    }
  });

  test('--stately attaches @statelyai/inspect: its events reach the relay on 127.0.0.1', async () => {
    const s = await startInspect(file, '--port', '0', '--stately', '--delay-ms', '0');
    try {
      expect(s.stdout()).toMatch(/Stately inspector: http:\/\/127\.0\.0\.1:\d+\/stately \(loads https:\/\/stately\.ai\/inspect: needs your network\)/);
      const bridge = await get(`${s.url}stately`);
      expect(bridge.body).toContain('src="https://stately.ai/inspect"');
      const ws = new WebSocket(`${s.url.replace('http', 'ws')}stately-ws`);
      const types = new Set<string>();
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${[...types]} arrived`)), 20000);
        ws.on('message', (m) => {
          types.add(JSON.parse(String(m)).type);
          if (types.has('@xstate.actor') && types.has('@xstate.event') && types.has('@xstate.snapshot')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      ws.close();
    } finally {
      await s.stop();
    }
  });

  test('the port is taken: one line, exit 2', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = hypsim('inspect', file, '--port', String(port));
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`port ${port} is in use`));
    } finally {
      blocker.close();
    }
  });

  test.each([
    [['a.json', 'b.json'], /give at most one trace file/],
    [['/nonexistent/t.json'], /trace file \/nonexistent\/t.json: cannot be read/],
    [['--cpus', '2'], /--design is required/],
    [['--design', 'legacy', '--cpus', '2', '--port', '70000'], /--port must be from 0 to 65535/],
    [['--design', 'legacy', '--cpus', '2', '--delay-ms', '-1'], /--delay-ms must be 0 or more/],
    [['--design', 'legacy', '--cpus', '2', '--frob'], /unknown option --frob/],
    // 64 CPUs is the bound (actors/hyp-system.ts limits); one more is refused.
    [['--design', 'legacy', '--cpus', '65'], /--cpus must be an integer from 1 to 64, got 65/],
  ])('bad input %j: one line, exit 2', (args, msg) => {
    const r = hypsim('inspect', ...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(msg);
  });

  test('a trace file with other system flags, or with --live, is refused', () => {
    for (const args of [
      [file, '--cpus', '3'],
      [file, '--live'],
    ]) {
      const r = hypsim('inspect', ...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/is for cpus 2, not 3|--live runs a fresh simulation/);
    }
  });
});
