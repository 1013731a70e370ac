/**
 * `hypsim export`: a trace as a Mermaid sequenceDiagram (or a DOT chain), the statecharts as a Mermaid
 * stateDiagram-v2 or a DOT digraph, generated from the XState definitions. Parse-level checks: the
 * header, every participant and state, balanced blocks, and text escaped so it cannot break a statement.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { system } from '../../api/system';
import { chartsOf } from '../../inspector/statechart';
import { chartsToDot, dotString } from '../../report/dot';
import { chartsToMermaid, mermaidId, mermaidText, traceToMermaid } from '../../report/mermaid';
import { hypsim, tmp } from '../cli/helpers';

const dir = tmp();
const legacyFile = join(dir, 'legacy.json');

beforeAll(() => {
  expect(hypsim('explore', '--design', 'legacy', '--layout', 'collide', '--cpus', '2', '--hotplug', '0', '--trace-out', legacyFile, '--quiet').code).toBe(1);
});

/** A DOT file's statements, with quoted strings taken out (so braces in labels do not count). */
function dotSkeleton(text: string): string {
  return text.replace(/"(?:[^"\\]|\\.)*"/g, 'S');
}

describe('escaping', () => {
  test('Mermaid text: entity codes in one pass, one line', () => {
    expect(mermaidText('a;b#c')).toBe('a#59;b#35;c');
    expect(mermaidText('x <y> {z} 50% "q"\nnext')).toBe('x #60;y#62; #123;z#125; 50#37; #34;q#34; next');
    expect(mermaidId('cpu-0.a')).toBe('cpu_0_a');
    expect(mermaidId('0x')).toBe('_0x');
  });
  test('DOT strings: quotes, backslashes and newlines escaped', () => {
    expect(dotString('say "hi" \\ now\nthen')).toBe('"say \\"hi\\" \\\\ now\\nthen"');
  });
});

describe('hypsim export --what trace', () => {
  test('Mermaid: a sequenceDiagram with every actor a participant, a message per delivery, the violation as a note', () => {
    const r = hypsim('export', '--format', 'mermaid', legacyFile);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('sequenceDiagram');
    const participants = lines.filter((l) => /^\s+participant /.test(l)).map((l) => l.trim().split(' ')[1]);
    expect(participants).toEqual(['kernel', 'cpu0', 'cpu1', 'hotplug']);
    const trace = JSON.parse(readFileSync(legacyFile, 'utf8')).trace as { from: string; to: string; event: string; step: number }[];
    const messages = lines.filter((l) => /->>/.test(l));
    expect(messages).toHaveLength(trace.length);
    messages.forEach((m, i) => {
      expect(m.trim().startsWith(`${trace[i].from}->>${trace[i].to}: ${trace[i].step} ${trace[i].event}`)).toBe(true);
    });
    expect(messages[messages.length - 1]).toMatch(/cpu0->>cpu0: 24 ACCESS stack cpu0 VA 0x80208000 TLB hit→PA 0x80208000 STALE/);
    const note = lines.find((l) => /Note over/.test(l))!;
    expect(note).toMatch(/^\s+Note over cpu0: ✗ wrong-translation: cpu0 ACCESS at VA 0x80208000/);
    // The message's ';' is an entity code: a raw one would end the statement.
    expect(note).toContain('stale TLB entry#59; expected stack cpu0');
    for (const l of lines.slice(1)) expect(l.split(': ').slice(1).join(': ').replace(/#\d+;/g, '')).not.toMatch(/[;#<>{}]/);
  });

  test("Mermaid from system flags: the explorer's counterexample; --out writes a file", () => {
    const out = join(dir, 'trace.mmd');
    const r = hypsim('export', '--format', 'mermaid', '--what', 'trace', '--design', 'legacy', '--cpus', '2', '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const text = readFileSync(out, 'utf8');
    expect(text.startsWith('sequenceDiagram\n')).toBe(true);
    expect(text).toMatch(/Note over cpu0: ✗ wrong-translation/);
  });

  test('Mermaid from system flags with no counterexample: a live run, said on stderr', () => {
    const r = hypsim('export', '--format', 'mermaid', '--what', 'trace', '--design', 'trampoline', '--cpus', '2', '--vms', '1', '--seed', '4');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/verified, no counterexample; exporting a live run, seed 4/);
    expect(r.stdout).toMatch(/^sequenceDiagram\n/);
    for (const p of ['kernel', 'cpu0', 'cpu1', 'hotplug', 'vm0']) expect(r.stdout).toContain(`  participant ${p}\n`);
    expect(r.stdout).not.toMatch(/Note over/);
  });

  test('DOT: a digraph of the deliveries in order, a lane per actor, the breaking one in red', () => {
    const r = hypsim('export', '--format', 'dot', legacyFile);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('digraph trace {')).toBe(true);
    expect(r.stdout.trimEnd().endsWith('}')).toBe(true);
    expect((r.stdout.match(/^\s+d\d+ \[label=/gm) ?? []).length).toBe(24);
    expect((r.stdout.match(/^\s+d\d+ -> d\d+ \[color="#bbbbbb"/gm) ?? []).length).toBe(23);
    expect(r.stdout).toMatch(/d23 \[label="24 ACCESS[^"]*\\n✗ wrong-translation: [^"]*", color="red"/);
  });
});

describe('hypsim export --what states', () => {
  test('DOT: the CPU and kernel statecharts as a digraph, a cluster per machine and compound state', () => {
    const r = hypsim('export', '--format', 'dot', '--what', 'states', '--design', 'trampoline', '--cpus', '2');
    expect(r.code).toBe(0);
    const text = r.stdout;
    expect(text.startsWith('digraph hypsim {')).toBe(true);
    const sk = dotSkeleton(text);
    expect((sk.match(/\{/g) ?? []).length).toBe((sk.match(/\}/g) ?? []).length);
    expect(text).toContain('subgraph "cluster_cpu/" {');
    expect(text).toContain('subgraph "cluster_cpu/boot-pgd" {');
    expect(text).toContain('subgraph "cluster_kernel/" {');
    expect(text).not.toContain('cluster_hotplug');
    for (const s of ['off.stub', 'boot-pgd.set-vectors', 'boot-pgd.jump-trampoline', 'trampoline.switch-pgd', 'trampoline.tlbi', 'runtime', 'fault'])
      expect(text).toContain(`"cpu/${s}" [label=`);
    expect(text).toContain('"cpu/off.stub" -> "cpu/boot-pgd.set-vectors" [label="INIT"];');
    expect(text).toContain('"cpu/boot-pgd.jump-trampoline" -> "cpu/trampoline.switch-pgd" [label="JUMP_TRAMPOLINE"];');
    expect(text).toContain('"cpu/any:" -> "cpu/off.offline" [label="CPU_DOWN"];');
    expect(text).toContain('"kernel/wait-cpus" -> "kernel/');
    // Every edge's ends are declared nodes.
    const nodes = new Set([...text.matchAll(/^\s+("(?:[^"\\]|\\.)*") \[(?:label|shape)=/gm)].map((m) => m[1]));
    for (const m of text.matchAll(/^\s+("(?:[^"\\]|\\.)*") -> ("(?:[^"\\]|\\.)*")/gm)) {
      expect(nodes).toContain(m[1]);
      expect(nodes).toContain(m[2]);
    }
  });

  test('Mermaid: a stateDiagram-v2, a composite per machine, every leaf state and transition inside it', () => {
    const r = hypsim('export', '--format', 'mermaid', '--what', 'states', '--machine', 'all', '--design', 'legacy', '--cpus', '2');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('stateDiagram-v2');
    expect(lines.filter((l) => /^ {2}state ".*" as \w+ \{$/.test(l)).map((l) => l.split(' as ')[1])).toEqual(['kernel {', 'cpu {', 'hotplug {']);
    expect(lines.filter((l) => l === '  }')).toHaveLength(3);
    expect(r.stdout).toContain('state "idmap.set-stack" as cpu__idmap_set_stack');
    expect(r.stdout).toContain('cpu__off_stub --> cpu__idmap_set_vectors : INIT');
    expect(r.stdout).toContain('cpu__idmap_set_stack --> cpu__fault : SET_STACK [guard]');
    expect(r.stdout).toContain('[*] --> cpu__off_stub');
    // Transitions only between states declared in the same composite (Mermaid cannot cross composites).
    let current = '';
    for (const l of lines) {
      const open = /^ {2}state ".*" as (\w+) \{$/.exec(l);
      if (open) current = open[1];
      const t = /^ {4}(\S+) --> (\S+)/.exec(l);
      if (t) for (const end of [t[1], t[2]]) if (end !== '[*]') expect(end.startsWith(`${current}__`)).toBe(true);
    }
  });

  test('the same text from the API, and a statechart edge for every XState transition', () => {
    const sys = system({ design: 'trampoline', cpus: 2 });
    const charts = chartsOf(sys.spec.actors).filter((c) => c.name === 'cpu');
    const mmd = chartsToMermaid(charts);
    const dot = chartsToDot(charts);
    const transitions = charts[0].chart.edges.reduce((n, e) => n + Math.max(1, e.targets.length), 0);
    expect((mmd.match(/ --> /g) ?? []).length).toBe(transitions + 1); // + the initial [*] arrow
    expect((dot.match(/ -> /g) ?? []).length).toBe(transitions + 1);
    expect(traceToMermaid(sys, [], null)).toMatch(/^sequenceDiagram\n {2}title .*\n {2}participant kernel\n/);
  });
});

describe('bad input: one line on stderr, exit 2', () => {
  test.each([
    [['--what', 'states', '--design', 'legacy', '--cpus', '2'], /--format is required/],
    [['--format', 'svg', '--design', 'legacy', '--cpus', '2'], /--format must be mermaid or dot, got "svg"/],
    [['--format', 'dot', '--what', 'everything', '--design', 'legacy', '--cpus', '2'], /--what must be trace or states/],
    [['--format', 'dot', '--what', 'states', '--machine', 'gpu', '--design', 'legacy', '--cpus', '2'], /--machine must be cpu, kernel, hotplug, vm or all/],
    [['--format', 'dot', '--what', 'states', '--machine', 'vm', '--design', 'legacy', '--cpus', '2'], /this system has no vm machine/],
    [['--format', 'dot', '/nonexistent/t.json'], /trace file \/nonexistent\/t.json: cannot be read/],
    [['--format', 'dot', '--what', 'states'], /--design is required/],
    [
      ['--format', 'mermaid', '--what', 'states', '--design', 'legacy', '--cpus', '2', '--out', '/nonexistent/dir/x.mmd'],
      /cannot write \/nonexistent\/dir\/x.mmd/,
    ],
  ])('%j', (args, msg) => {
    const r = hypsim('export', ...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(msg);
  });
});
