/**
 * Front ends ask the system (`sys.narrator`, `sys.view`) and take a HYP system's design and layout from
 * api/recipe.ts: none reads `.hyp` but that file and the swarm's task (its workers rebuild the HYP system).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const allowed = new Set(['api/recipe.ts', 'api/swarm-task.ts']);

/** "path:line" for each line of `text` that reads a `.hyp` member (`sys.hyp`, `s.hyp?.config`, `x.hyp!`). */
function hypReads(path: string, text: string): string[] {
  return text.split('\n').flatMap((line, i) => (/\.hyp\b(?![-\w])/.test(line.replace(/'[^']*'|`[^`]*`/g, "''")) ? [`${path}:${i + 1}`] : []));
}

test('the check finds a .hyp read and nothing else', () => {
  const text = ['const c = sys.hyp?.config;', "const s = 'see docs/x.hyp-notes';", 'const n = hypNarrator(hyp);', 'if (!s.hyp) return;'].join('\n');
  expect(hypReads('f.ts', text)).toEqual(['f.ts:1', 'f.ts:4']);
});

test('no front end reads sys.hyp but api/recipe.ts and api/swarm-task.ts', () => {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', 'api', 'cli', 'jest', 'inspector', 'report'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((f) => f.endsWith('.ts') && !allowed.has(f));
  expect(files.length).toBeGreaterThan(40);
  expect(files.flatMap((f) => hypReads(f, readFileSync(join(root, f), 'utf8')))).toEqual([]);
});
