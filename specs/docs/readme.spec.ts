/**
 * Keeps the README an honest front door: at most 300 lines, a quick start of exactly the two documented
 * commands, every relative link in README.md and docs/*.md pointing at a file (and heading) that exists,
 * every docs page listed in the README's index, and generated traces kept out of the README.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = join(__dirname, '..', '..');
const read = (p: string): string => readFileSync(join(root, p), 'utf8');
const docs = readdirSync(join(root, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => `docs/${f}`);

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const m = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
    if (!m) continue;
    const base = m[1]
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Relative links `[text](target)` and `![alt](target)` outside code blocks and code spans. */
function links(markdown: string): string[] {
  const out: string[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    if (fenced) continue;
    const prose = line.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/\]\(([^)\s]+)\)/g)) if (!/^[a-z]+:/i.test(m[1])) out.push(m[1]);
  }
  return out;
}

describe('README.md', () => {
  const readme = read('README.md');

  test('is a front door of at most 300 lines', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(300);
  });

  test('its quick start is exactly the two commands: the demo, and the tests with the system packages they need', () => {
    const m = /## Quick start\n+```sh\n([\s\S]*?)```/.exec(readme);
    expect(m).not.toBeNull();
    expect(m![1].trim().split('\n')).toEqual(['npm ci && npm start', 'apt-get update && apt-get install -y spin redis-server && npm ci && npm test']);
  });

  test('opens "What it finds" with both seed bugs, then the fix verified', () => {
    const finds = readme.slice(readme.indexOf('## What it finds'));
    const at = (s: string) => finds.indexOf(s);
    expect(at('wrong-translation after')).toBeGreaterThan(0);
    expect(at('legacy-hotplug on disjoint')).toBeGreaterThan(at('wrong-translation after'));
    expect(at('✓ trampoline')).toBeGreaterThan(at('legacy-hotplug on disjoint'));
  });

  test('"What it finds" quotes `hypsim demo` (npm start): every line shown is a line it prints, or its start before "…"', () => {
    const section = readme.slice(readme.indexOf('## What it finds'), readme.indexOf('\n## ', readme.indexOf('## What it finds') + 5));
    const quoted = [...section.matchAll(/```\n([\s\S]*?)```/g)].flatMap((m) => m[1].split('\n')).filter((l) => l.trim() !== '' && l.trim() !== '…');
    expect(quoted.length).toBeGreaterThan(20);
    const demo = spawnSync(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'demo'], { encoding: 'utf8' });
    expect(demo.status).toBe(0);
    // Timings and memory vary from run to run; everything else is deterministic.
    const norm = (l: string) =>
      l
        .replace(/[\d.]+ s\b/g, 'T s')
        .replace(/\d+ states\/s/g, 'R states/s')
        .replace(/\d+ MB peak/g, 'M MB peak')
        .trimEnd();
    const printed = demo.stdout.split('\n').map(norm);
    const missing = quoted.map((l) => norm(l.split('…')[0])).filter((q) => !printed.some((p) => p.startsWith(q)));
    expect(missing).toEqual([]);
  });

  test('the CLI synopsis names every subcommand `hypsim --help` lists', () => {
    const help = spawnSync(process.execPath, [join(root, 'dist', 'cli', 'main.js'), '--help'], { encoding: 'utf8' }).stdout;
    const commands = [...help.matchAll(/^ {2}hypsim ([a-z]+)\b/gm)].map((m) => m[1]);
    expect(commands).toEqual(expect.arrayContaining(['demo', 'explore', 'simulate', 'replay', 'list', 'inspect', 'export']));
    const cli = readme.slice(readme.indexOf('## The command line'));
    const synopsis = /```\n([\s\S]*?)```/.exec(cli)![1];
    expect(commands.filter((c) => !new RegExp(`^hypsim ${c}\\b`, 'm').test(synopsis))).toEqual([]);
  });

  test('holds no generated section (docs/designs.md has it) and indexes every page in docs/', () => {
    expect(readme).not.toMatch(/designs:begin|<details>/);
    for (const page of docs) expect(readme).toContain(`](${page})`);
  });
});

describe.each(['README.md', ...docs])('%s', (page) => {
  test('every relative link points at an existing file, and an anchor at an existing heading', () => {
    const broken: string[] = [];
    for (const link of links(read(page))) {
      const [path, anchor] = link.split('#');
      const target = path === '' ? page : relative(root, resolve(dirname(join(root, page)), path));
      if (!existsSync(join(root, target))) {
        broken.push(`${link} (no file ${target})`);
        continue;
      }
      if (anchor && target.endsWith('.md') && !anchors(read(target)).has(anchor)) broken.push(`${link} (no heading #${anchor} in ${target})`);
    }
    expect(broken).toEqual([]);
  });
});
