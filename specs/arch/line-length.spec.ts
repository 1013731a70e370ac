/**
 * No .ts line over 160 characters (STYLE.md): Biome's formatter wraps code at 160 but never splits a string,
 * so long literals would creep back unseen. Every .ts file git tracks or would add (`git ls-files --cached --others --exclude-standard`) is read.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const MAX = 160;

/** "path:line (N characters)" for each line of `text` longer than MAX. */
function longLines(path: string, text: string): string[] {
  return text.split('\n').flatMap((line, i) => (line.length > MAX ? [`${path}:${i + 1} (${line.length} characters)`] : []));
}

describe(`.ts lines are at most ${MAX} characters`, () => {
  test('the check finds a long line and nothing else', () => {
    const text = ['const ok = 1;', `const s = '${'x'.repeat(MAX - 12)}';`, `const t = '${'x'.repeat(MAX - 13)}';`].join('\n');
    expect(text.split('\n').map((l) => l.length)).toEqual([13, MAX + 1, MAX]);
    expect(longLines('f.ts', text)).toEqual([`f.ts:2 (${MAX + 1} characters)`]);
  });

  test('no .ts file of the tree has one', () => {
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', '*.ts'], { cwd: root, encoding: 'utf8' })
      .split('\0')
      .filter(Boolean);
    expect(files.length).toBeGreaterThan(100);
    expect(files.flatMap((f) => longLines(f, readFileSync(join(root, f), 'utf8')))).toEqual([]);
  });
});
