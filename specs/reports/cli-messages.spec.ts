/**
 * What the CLI says around a run: where --trace-out wrote and how to open it (and that nothing was written
 * when there is no counterexample), the timeline's legend explaining every lane symbol it uses, `list`
 * naming each design's kernel version once, and --hotplug defaulting to 0 in every subcommand and the API.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { system } from '../../api/system';
import { allDesigns } from '../../design/design';
import { TIMELINE_LEGEND } from '../../report/timeline';
import { hypsim, startInspect, tmp } from '../cli/helpers';

const dir = tmp();

describe('--trace-out', () => {
  test('explore: says where it wrote and the commands that open it; both work on the file', async () => {
    const file = join(dir, 'legacy.json');
    const r = hypsim('explore', '--design', 'legacy', '--cpus', '2', '--trace-out', file, '--quiet');
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`trace written to ${file} (wrong-translation) — step through it: hypsim inspect ${file}   re-run it: hypsim replay ${file}`);
    expect(hypsim('replay', file, '--quiet').code).toBe(1);
    const page = await startInspect(file, '--port', '0');
    try {
      const html = await (await fetch(page.url)).text();
      expect(html).toMatch(/<html/i);
    } finally {
      await page.stop();
    }
  });

  test('explore --json: stdout stays one JSON object, the message goes to stderr', () => {
    const file = join(dir, 'json.json');
    const r = hypsim('explore', '--design', 'legacy', '--cpus', '2', '--json', '--trace-out', file);
    expect(JSON.parse(r.stdout).result).toBe('violation');
    expect(r.stderr).toContain(`trace written to ${file}`);
  });

  test('explore with no counterexample: says nothing was written, and writes nothing', () => {
    const file = join(dir, 'none.json');
    const r = hypsim('explore', '--design', 'trampoline', '--cpus', '2', '--trace-out', file, '--quiet');
    expect(r.code).toBe(0);
    expect(r.stderr.trim()).toBe(`hypsim explore: no counterexample, so nothing was written to ${file}`);
    expect(existsSync(file)).toBe(false);
  });

  test('simulate: the live run written, the same message', () => {
    const file = join(dir, 'live.json');
    const r = hypsim('simulate', '--design', 'trampoline', '--cpus', '2', '--seed', '3', '--trace-out', file);
    expect(r.code).toBe(0);
    expect(r.stderr.trim()).toBe(`trace written to ${file} — step through it: hypsim inspect ${file}   re-run it: hypsim replay ${file}`);
    expect(hypsim('replay', file, '--quiet').code).toBe(0);
  });
});

test('the timeline ends with a legend that explains every lane symbol it uses', () => {
  const runs = [
    ['explore', '--design', 'legacy', '--cpus', '2', '--quiet'],
    ['simulate', '--design', 'trampoline', '--cpus', '2', '--hotplug', '1', '--seed', '2'],
  ];
  for (const args of runs) {
    const out = hypsim(...args).stdout;
    expect(out).toContain(`\n${TIMELINE_LEGEND}\n`);
    const lines = out.split('\n');
    const header = lines.findIndex((l) => /^ +step {2}/.test(l));
    const laneEnd = lines[header].indexOf('actor');
    const rows = lines.slice(header + 2).filter((l) => /^ {0,4}\d* {2}[^ ]/.test(l) && !l.includes('lanes:'));
    const used = new Set(rows.flatMap((l) => [...l.slice(7, laneEnd)].filter((c) => c.trim())));
    expect([...used].sort()).toEqual(expect.arrayContaining(['·', '●', '→']));
    for (const sym of used) expect(TIMELINE_LEGEND).toContain(`${sym} `);
  }
});

test("list names each design's kernel version once", () => {
  const out = hypsim('list').stdout.split('\n');
  for (const d of allDesigns) {
    const row = out.find((l) => new RegExp(`^(design|mutant) +${d.name} `).test(l))!;
    const version = new RegExp(`(^|\\s)${d.kernel.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\d.])`, 'g');
    expect([row, (row.match(version) ?? []).length]).toEqual([row, 1]);
  }
});

test("--hotplug defaults to 0 in every subcommand, the API and the matchers' system()", () => {
  const api = system({ design: 'legacy', cpus: 2 }).header.hotplug;
  expect(api).toBe(0);
  expect(JSON.parse(hypsim('explore', '--design', 'legacy', '--cpus', '2', '--json').stdout).hotplug).toBe(api);
  expect(JSON.parse(hypsim('simulate', '--design', 'legacy', '--cpus', '2', '--json').stdout).hotplug).toBe(api);
  expect(hypsim('export', '--format', 'mermaid', '--what', 'trace', '--design', 'legacy', '--cpus', '2').stdout).toContain(`K=${api}`);
  expect(hypsim('explore', '--help').stdout).toMatch(/--hotplug K +CPUs, and at most K CPU-down operations \(default 0/);
});
