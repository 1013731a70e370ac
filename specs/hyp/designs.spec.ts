/** The later designs (issue: the rest of the kernel's history), design and layout files, and the generated README section. */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { explore } from '../../api/explore';
import { system } from '../../api/system';
import { allDesigns, findDesign, knobs, parseDesign } from '../../design/design';
import { readInputJson } from '../../api/input-file';
import { resolveDesign } from '../../design/resolve';
import { arm64HighmemLayout, arm64Layout, collideLayout, disjointLayout, parseLayout, resolveLayout } from '../../mmu/layout';
import { designRows, designsDoc } from '../../report/designs-doc';
import { renderTimeline } from '../../report/timeline';
import { InputError } from '../../util/errors';
import { hypsim, tmp } from '../cli/helpers';

const verdict = (o: Parameters<typeof system>[0], opts = {}) => {
  const r = explore(system(o), opts);
  return r.result === 'violation' ? r.violation!.invariant : r.result;
};

describe('later designs, as the kernel history has them', () => {
  test.each([
    // v3.10 registers the cpu notifier after on_each_cpu; v3.15 closes the window.
    [{ design: 'trampoline', cpus: 2, hotplug: 1, hotplugFromBoot: true }, 'init-completes'],
    [{ design: 'trampoline-v3.15', cpus: 3, hotplug: 2, hotplugFromBoot: true }, 'verified'],
    // CPU PM: v3.10 has no notifier, v3.14+ re-inits on CPU_PM_EXIT.
    [{ design: 'trampoline', cpus: 2, hotplug: 1, cpuPm: 1 }, 'init-completes'],
    [{ design: 'no-cpu-pm-notifier', cpus: 2, hotplug: 1, cpuPm: 1 }, 'init-completes'],
    [{ design: 'trampoline-v3.15', cpus: 3, hotplug: 1, cpuPm: 2, vms: 1 }, 'verified'],
    [{ design: 'trampoline-v3.15', cpus: 2, hotplug: 0, cpuPm: 1 }, 'use-after-free'],
    // v4.7 teardown through the trampoline; without its TLBI the branch to the idmap hits a runtime entry.
    [{ design: 'hyp-reset', cpus: 2, hotplug: 2, cpuPm: 1, vms: 1 }, 'verified'],
    [{ design: 'hyp-reset', layout: 'arm64-highmem', cpus: 2, hotplug: 2, vms: 1 }, 'verified'],
    [{ design: 'hyp-reset-no-tlbi', cpus: 2, hotplug: 1 }, 'wrong-translation'],
    [{ design: 'hyp-reset-no-tlbi', layout: 'arm64-highmem', cpus: 2, hotplug: 1, cpuPm: 1, vms: 1 }, 'wrong-translation'],
    // Without CONFIG_HOTPLUG_CPU (K=0) v4.7's init_hyp_mode ends with free_boot_hyp_pgd, before the first init.
    [{ design: 'hyp-reset', cpus: 2, hotplug: 0, cpuPm: 1 }, 'use-after-free'],
    [{ design: 'hyp-reset-no-tlbi', layout: 'disjoint', cpus: 2, hotplug: 2, vms: 1 }, 'verified'],
    // v4.8 merged idmap: verified under hotplug and CPU PM on both arm64 layouts.
    [{ design: 'merged-idmap', cpus: 3, hotplug: 2, vms: 1 }, 'verified'],
    [{ design: 'merged-idmap', layout: 'arm64', cpus: 3, hotplug: 2, cpuPm: 1, vms: 1 }, 'verified'],
    [{ design: 'merged-idmap', layout: 'disjoint', cpus: 2, hotplug: 1 }, 'verified'],
  ] as const)('%j → %s', (o, want) => {
    expect(verdict(o)).toBe(want);
    expect(verdict(o, { symmetry: false, por: false })).toBe(want);
  });

  test('merged-idmap refuses a layout whose HYP VAs meet the idmap, as v4.8 kvm_mmu_init does', () => {
    expect(() => system({ design: 'merged-idmap', layout: 'collide', cpus: 2 })).toThrow(/IDMAP intersecting with HYP VA/);
    // With the pre-v4.8 "high" mask, vm0's HYP VA on arm64-highmem is the idmap VA.
    const high = { ...findDesign('merged-idmap')!, name: 'merged-high', hypVaMask: 'high' as const };
    expect(() => system({ design: high, layout: 'arm64-highmem', cpus: 2, vms: 1 })).toThrow(/vm0 struct/);
    expect(verdict({ design: high, layout: 'arm64-highmem', cpus: 2, hotplug: 1, vms: 0 })).toBe('verified');
  });
});

describe('profiles and arm64 layouts', () => {
  test("kern_hyp_va: 'high' puts HYP VAs in the top half, v4.8 'auto' in the half without the idmap", () => {
    const high = arm64HighmemLayout(2, 1, 'high');
    const low = arm64HighmemLayout(2, 1, 'auto');
    expect(high.vms[0].va).toBe(high.idmapVa); // the collision v4.8 removes
    expect(low.vms[0].va).not.toBe(low.idmapVa);
    for (const p of [low.text, ...low.stacks, ...low.vms]) expect(p.va).toBeLessThan(2 ** 38);
    for (const p of [arm64Layout(2, 1).text, ...arm64Layout(2, 1).stacks]) expect(p.va).toBeGreaterThanOrEqual(2 ** 38);
    expect(high.trampolineVa).toBe(2 ** 39 - 4096);
  });
  test('arm64 register and instruction names in the timeline, ARMv7 ones elsewhere', () => {
    const arm = system({ design: 'hyp-reset-no-tlbi', layout: 'arm64-highmem', cpus: 2, hotplug: 1, vms: 1 });
    const r = explore(arm);
    const t = renderTimeline(arm, r.violation!.trace, r.violation);
    expect(t).toMatch(/TTBR0_EL2 := boot_hyp_pgd/);
    expect(t).toMatch(/tlbi alle2|SCTLR_EL2/);
    expect(t).not.toMatch(/HTTBR|TLBIALLH/);
    const v7 = system({ design: 'no-tlbi', cpus: 2, hotplug: 1 });
    const r7 = explore(v7);
    expect(renderTimeline(v7, r7.violation!.trace)).toMatch(/HTTBR := hyp_pgd/);
  });
});

describe('design and layout files', () => {
  const dir = join(__dirname, '..', '..', 'examples');
  test('every preset and mutant ships as a design file that reads back to the same knobs', () => {
    const files = readdirSync(join(dir, 'designs'));
    for (const d of allDesigns) {
      expect(files).toContain(`${d.name}.json`);
      const fromFile = resolveDesign(join(dir, 'designs', `${d.name}.json`), readInputJson);
      for (const k of knobs) expect([d.name, k, fromFile[k]]).toEqual([d.name, k, d[k]]);
    }
  });
  test('example layout files give the preset addresses', () => {
    const strip = ({ name: _n, ...l }: { name: string }) => l;
    expect(strip(resolveLayout(join(dir, 'layouts', 'collide.json'), 4, 2, 'high', readInputJson))).toEqual(strip(collideLayout(4, 2)));
    expect(strip(resolveLayout(join(dir, 'layouts', 'disjoint.json'), 3, 1, 'high', readInputJson))).toEqual(strip(disjointLayout(3, 1)));
    expect(strip(resolveLayout(join(dir, 'layouts', 'arm64-highmem-v4.7.json'), 1, 1, 'high', readInputJson))).toEqual(
      strip({ ...arm64HighmemLayout(1, 1, 'high'), stacks: arm64HighmemLayout(1, 1).stacks }),
    );
  });
  test.each([
    [{ extends: 'trampoline', tlbi: 'sometimes' }, /design: tlbi must be one of after-switch \| before-switch \| none, got "sometimes"/],
    [{ extends: 'trampoline', colour: 'red' }, /design: unknown knob "colour"/],
    [{ extends: 'trampoline', cpuNotifier: 'yes' }, /design: cpuNotifier must be true or false, got "yes"/],
    [{ extends: 'nothing' }, /design: extends must name a preset or mutant/],
    [{ extends: 'legacy', tlbi: 'after-switch' }, /pgds "single" has no phase 2/],
    [
      { extends: 'trampoline', hypReset: 'trampoline', pgds: 'merged', bootTrampoline: false, runtimeTrampoline: false, tlbi: 'none' },
      /hypReset "trampoline" goes back through the boot pgd/,
    ],
  ])('a wrong design file is one clear line (%#)', (json, msg) => {
    expect(() => parseDesign(json, 'x')).toThrow(InputError);
    expect(() => parseDesign(json, 'x')).toThrow(msg);
  });
  test('a layout whose trampoline VA is also a runtime VA, or an unaligned address, is refused', () => {
    const base = JSON.parse(readFileSync(join(dir, 'layouts', 'disjoint.json'), 'utf8'));
    expect(() => parseLayout({ ...base, vms: { va: '0xffff0000', pa: '0x82000000' } }, 2, 1)).toThrow(/vm0 struct VA 0xffff0000 is the trampoline VA/);
    expect(() => parseLayout({ ...base, hostCtx: { va: '0xc1100800', pa: '0x81100000' } }, 2, 0)).toThrow(/hostCtx.va = 0xc1100800 is not page aligned/);
  });
  test('from the CLI: --design FILE and --layout FILE, and one line with exit 2 when they are wrong', () => {
    const d = join(tmp(), 'mine.json');
    writeFileSync(d, JSON.stringify({ name: 'my-design', extends: 'trampoline', tlbi: 'none' }));
    const ok = hypsim('explore', '--design', d, '--cpus', '2', '--hotplug', '1', '--layout', join(dir, 'layouts', 'collide.json'), '--json', '--quiet');
    expect(ok.code).toBe(1);
    expect(JSON.parse(ok.stdout)).toMatchObject({ design: 'my-design', layout: 'collide-file', violation: { invariant: 'wrong-translation' } });
    writeFileSync(d, JSON.stringify({ name: 'bad', extends: 'trampoline', resetTlbi: 3 }));
    const bad = hypsim('explore', '--design', d, '--cpus', '2', '--hotplug', '1');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('hypsim: design: resetTlbi must be true or false, got 3');
    const refused = hypsim('explore', '--design', 'merged-idmap', '--layout', 'collide', '--cpus', '2', '--hotplug', '1');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/IDMAP intersecting with HYP VA/);
  });
  test('hypsim list shows the new presets, the later mutants and every knob with its meaning', () => {
    const out = hypsim('list').stdout;
    for (const n of [
      'trampoline-v3.15',
      'hyp-reset',
      'merged-idmap',
      'hyp-reset-no-tlbi',
      'no-cpu-pm-notifier',
      'arm64',
      'arm64-highmem',
      'legacy-hotplug',
      'pkvm',
      'pkvm-no-tlbi',
      'pkvm-mmu-on',
      'pkvm-no-idmap',
      'collide-text',
    ])
      expect(out).toMatch(new RegExp(`^\\w+ +${n} `, 'm'));
    for (const k of knobs) expect(out).toMatch(new RegExp(`^knob +${k} +.+ — .+`, 'm'));
    expect(out).toMatch(/^profile +arm64 +TTBR0_EL2, tlbi alle2/m);
  });
});

describe('docs/designs.md: the verdict table and what each design gets wrong', () => {
  test('the page is the one the tool generates now (run `npm run docs` if this fails)', () => {
    expect(readFileSync(join(__dirname, '..', '..', 'docs', 'designs.md'), 'utf8')).toBe(designsDoc());
  });
  test.each(designRows.map((r) => [r.design, r.opts, r.expect] as const))('row %s %j → %s (and the same without reductions)', (design, opts, want) => {
    expect(verdict({ design, ...opts })).toBe(want);
    expect(verdict({ design, ...opts }, { symmetry: false, por: false })).toBe(want);
  });
  test('every preset and mutant has a row', () => {
    for (const d of allDesigns) expect(designRows.map((r) => r.design)).toContain(d.name);
  });
});
