import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hypsim, tmp } from './helpers';
import { joined } from '../regexp';

describe('hypsim explore (the CLI contract)', () => {
  test('--json prints one object with the documented fields; exit 1 on a violation', () => {
    const r = hypsim('explore', '--design', 'legacy', '--layout', 'collide', '--cpus', '2', '--hotplug', '0', '--json', '--quiet');
    expect(r.code).toBe(1);
    const o = JSON.parse(r.stdout);
    expect(Object.keys(o)).toEqual(expect.arrayContaining(['design', 'layout', 'cpus', 'hotplug', 'vms', 'strategy', 'result', 'violation', 'stats']));
    expect(o).toMatchObject({ design: 'legacy', layout: 'collide', cpus: 2, hotplug: 0, vms: 0, strategy: 'bfs', result: 'violation' });
    expect(o.violation.invariant).toBe('wrong-translation');
    expect(Object.keys(o.stats).sort()).toEqual(['depth', 'peakMemoryMB', 'seconds', 'states', 'transitions']);
    expect(o.violation.trace[0]).toEqual(expect.objectContaining({ step: 1, from: 'kernel', to: 'kernel', event: 'KVM_MMU_INIT', payload: {} }));
  });
  test('exit 0 when verified; byte-identical JSON apart from seconds and memory', () => {
    const args = ['explore', '--design', 'trampoline', '--cpus', '3', '--hotplug', '2', '--vms', '1', '--json', '--quiet'];
    const a = hypsim(...args);
    const b = hypsim(...args);
    expect(a.code).toBe(0);
    const strip = (s: string) => s.replace(/"seconds":[\d.]+/, '').replace(/"peakMemoryMB":\d+/, '');
    expect(strip(a.stdout)).toBe(strip(b.stdout));
    expect(JSON.parse(a.stdout).result).toBe('verified');
  });
  test('exit 3 at a limit, partial stats printed', () => {
    const r = hypsim('explore', '--design', 'trampoline', '--cpus', '4', '--hotplug', '2', '--no-por', '--max-states', '500', '--json', '--quiet');
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ result: 'incomplete', violation: null });
  });
  test('the text output shows the timeline of the counterexample with the stale entry', () => {
    const r = hypsim('explore', '--design', 'no-tlbi', '--cpus', '2', '--hotplug', '1', '--quiet');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ no-tlbi .*: wrong-translation/);
    expect(r.stdout).toMatch(/STALE entry, cached at step \d+ through boot_hyp_pgd/);
    expect(r.stdout).toMatch(/SWITCH_PGD .*HTTBR := hyp_pgd/);
  });
  test.each([
    [['explore', '--design', 'nope', '--cpus', '2', '--hotplug', '0'], /unknown design "nope"/],
    [['explore', '--design', 'legacy', '--cpus', '0', '--hotplug', '0'], /--cpus must be an integer from 1/],
    [['explore', '--design', 'legacy', '--cpus', '2', '--hotplug', '-1'], /--hotplug must be an integer from 0/],
    [['explore', '--design', 'legacy', '--cpus', 'two', '--hotplug', '0'], /--cpus must be a decimal integer, got "two"/],
    [['explore', '--design', 'legacy', '--cpus', '2', '--hotplug', '0', '--layout', 'sideways'], /unknown layout "sideways"/],
    [['explore', '--design', 'legacy', '--cpus', '2', '--hotplug', '0', '--strategy', 'bogo'], /--strategy must be bfs, dfs, random or pct/],
    [['explore', '--design', 'legacy', '--cpus', '2', '--hotplug', '0', '--frobnicate'], /unknown option --frobnicate/],
    [
      ['explore', '--design', 'legacy', '--cpus', '2', '--trace-out', '/nonexistent/dir/t.json'],
      /cannot write \/nonexistent\/dir\/t.json \(trace file\): the directory \/nonexistent\/dir does not exist/,
    ],
    [['explore', '--design', 'legacy', '--cpus', '2', '--hotplug', '0', '--layout', '/nonexistent/l.json'], /layout file \/nonexistent\/l.json: cannot/],
    [['frob'], /unknown command "frob"/],
  ])('bad input %j: one line, exit 2', (args, msg) => {
    const r = hypsim(...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(msg);
    expect(r.stderr).not.toMatch(/at .*\.js/);
  });
  test('a malformed layout file: one line naming the field, exit 2', () => {
    const f = join(tmp(), 'bad.json');
    writeFileSync(
      f,
      JSON.stringify({
        initPa: '0x80208000',
        trampolineVa: '0xffff0000',
        text: { va: '0xc0008001', pa: '0x80008000' },
        stacks: { va: '0xc1000000', pa: '0x81000000' },
        hostCtx: { va: '0xc1100000', pa: '0x81100000' },
      }),
    );
    const r = hypsim('explore', '--design', 'trampoline', '--cpus', '2', '--hotplug', '0', '--layout', f);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/layout: text.va = 0xc0008001 is not page aligned/);
    writeFileSync(f, '{"initPa": ');
    expect(hypsim('explore', '--design', 'trampoline', '--cpus', '2', '--hotplug', '0', '--layout', f).stderr).toMatch(/not valid JSON/);
  });
  test('a user layout file is explored like a preset', () => {
    const f = join(tmp(), 'mine.json');
    // Collide the idmap with cpu1's stack instead of the text: only cpu1 is singled out.
    writeFileSync(
      f,
      JSON.stringify({
        name: 'stack-collides',
        initPa: '0x80208000',
        trampolineVa: '0xffff0000',
        text: { va: '0x80008000', pa: '0xc0008000' },
        stacks: [
          { va: '0x81000000', pa: '0xc1000000' },
          { va: '0x80208000', pa: '0xc0209000' },
        ],
        hostCtx: { va: '0x81100000', pa: '0xc1100000' },
      }),
    );
    const bad = JSON.parse(hypsim('explore', '--design', 'no-tlbi', '--cpus', '2', '--hotplug', '0', '--layout', f, '--json', '--quiet').stdout);
    expect(bad.layout).toBe('stack-collides');
    expect(bad.violation.invariant).toBe('wrong-translation');
    expect(bad.violation.message).toMatch(/^cpu1 ACCESS at VA 0x80208000/);
    expect(JSON.parse(hypsim('explore', '--design', 'trampoline', '--cpus', '2', '--hotplug', '1', '--layout', f, '--json', '--quiet').stdout).result).toBe(
      'verified',
    );
  });
  test('hypsim list names every design, mutant, layout and invariant', () => {
    const r = hypsim('list');
    expect(r.code).toBe(0);
    for (const n of [
      'legacy',
      'trampoline',
      'no-tlbi',
      'no-boot-trampoline',
      'no-runtime-trampoline',
      'free-boot-pgd',
      'no-cpu-notifier',
      'tlbi-before-switch',
      'collide',
      'disjoint',
      'translation-fault',
      'wrong-translation',
      'use-after-free',
      'runtime-state',
      'init-completes',
    ])
      expect(r.stdout).toMatch(new RegExp(`^\\w+ +${n} `, 'm'));
  });
});

describe('hypsim replay', () => {
  test('--trace-out then replay reaches the same violation', () => {
    const f = join(tmp(), 't.json');
    expect(hypsim('explore', '--design', 'free-boot-pgd', '--cpus', '2', '--hotplug', '1', '--trace-out', f, '--quiet').code).toBe(1);
    const r = hypsim('replay', f);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/use-after-free reached again/);
    expect(hypsim('replay', f, '--design', 'free-boot-pgd', '--cpus', '2', '--json').code).toBe(1);
  });
  test('a trace for another design or bounds, or a corrupted one, is refused with one line', () => {
    const f = join(tmp(), 't.json');
    hypsim('explore', '--design', 'no-tlbi', '--cpus', '2', '--hotplug', '1', '--trace-out', f, '--quiet');
    const other = hypsim('replay', f, '--design', 'trampoline');
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/is for design no-tlbi, not trampoline/);
    expect(hypsim('replay', f, '--cpus', '3').stderr).toMatch(/is for cpus 2, not 3/);
    const t = JSON.parse(readFileSync(f, 'utf8'));
    // Edited into another design: the steps no longer fit.
    t.system.design.tlbi = 'after-switch';
    writeFileSync(f, JSON.stringify(t));
    const edited = hypsim('replay', f);
    expect(edited.code).toBe(2);
    expect(edited.stderr.trim().split('\n')).toHaveLength(1);
    expect(edited.stderr).toMatch(/not enabled here|replays to|knobs are not that design's/);
    writeFileSync(f, JSON.stringify({ ...t, trace: [{ step: 'x' }] }));
    expect(hypsim('replay', f).stderr).toMatch(/trace\[0\].step must be a positive integer/);
    writeFileSync(f, 'garbage');
    expect(hypsim('replay', f).stderr).toMatch(/not valid JSON/);
  });
});

describe('hypsim simulate', () => {
  test('same seed, same output; a per-CPU timeline', () => {
    const a = hypsim('simulate', '--design', 'trampoline', '--cpus', '4', '--hotplug', '2', '--seed', '7');
    const b = hypsim('simulate', '--design', 'trampoline', '--cpus', '4', '--hotplug', '2', '--seed', '7');
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toMatch(/live run, seed 7: \d+ steps, no invariant broken/);
    expect(a.stdout).toMatch(/kern\s+cpu0\s+cpu1\s+cpu2\s+cpu3\s+hplg/);
    expect(hypsim('simulate', '--design', 'trampoline', '--cpus', '4', '--hotplug', '2', '--seed', '8').stdout).not.toBe(a.stdout);
  });
  test('npm start runs the demo: the legacy bug as a timeline and the trampoline design verified', () => {
    const r = hypsim('demo');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✗ legacy on collide.*wrong-translation/);
    expect(r.stdout).toMatch(/expected stack cpu0 at PA 0xc0208000/);
    expect(r.stdout).toMatch(
      joined(
        /✗ legacy-hotplug on disjoint, 2 CPUs, hotplug K=1, 0 VMs: translation-fault after \d+ steps\n {2}cpu0 SET_STACK at VA 0x80208000: /,
        /hyp_pgd does not map it \(the idmap VA\)/,
      ),
    );
    expect(r.stdout.indexOf('Seed bug 1')).toBeLessThan(r.stdout.indexOf('Seed bug 2'));
    expect(r.stdout.indexOf('Seed bug 2')).toBeLessThan(r.stdout.indexOf('✓ trampoline'));
    expect(r.stdout).toMatch(/✓ trampoline on collide, 4 CPUs, hotplug K=2, 1 VM: verified/);
  });
});
