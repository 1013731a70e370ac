/**
 * The layer rules catch what they are meant to (so `npm run lint`, which `npm test` runs first, cannot pass
 * vacuously): a small tree with one violation per rule, checked in a temporary folder with the project's own
 * `.dependency-cruiser.cjs`, `biome.jsonc` and `.biome/` plugins, next to a clean control.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = join(__dirname, '..', '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hypsim-layers-'));
  cpSync(join(root, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
  cpSync(join(root, '.biome'), join(dir, '.biome'), { recursive: true });
  // No git here: the copy of the config reads no ignore file.
  const config = readFileSync(join(root, 'biome.jsonc'), 'utf8');
  writeFileSync(
    join(dir, 'biome.jsonc'),
    config.replace('"useIgnoreFile": true', '"useIgnoreFile": false').replace(/"vcs": \{\s*"enabled": true/, '"vcs": { "enabled": false'),
  );
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'commonjs', strict: true } }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function depcruise(dir: string): { status: number | null; out: string } {
  const r = spawnSync(bin('depcruise'), ['--config', '.dependency-cruiser.cjs', 'bus', 'explore', 'machines', 'api'], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

function biome(dir: string): { status: number | null; out: string } {
  const r = spawnSync(bin('biome'), ['lint', '--max-diagnostics=100', '.'], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

const clean = {
  'machines/m.ts': 'export const m = 1;\n',
  'explore/e.ts': "import { b } from '../bus/b';\nexport const e = b + 1;\n",
  'bus/b.ts': 'export const b = 1;\n',
  'api/a.ts': [
    "import { readFileSync } from 'node:fs';",
    "import { m } from '../machines/m';",
    "export const a = (p: string) => readFileSync(p, 'utf8') + m + process.pid;",
    '',
  ].join('\n'),
};

describe('the layer rules (npm run lint)', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const make = (files: Record<string, string>) => {
    const d = tree(files);
    dirs.push(d);
    return d;
  };

  test('a clean tree passes both tools (front ends may read files and use process)', () => {
    const d = make(clean);
    expect(depcruise(d)).toMatchObject({ status: 0 });
    expect(biome(d)).toMatchObject({ status: 0 });
  });

  test('dependency-cruiser refuses the core importing the model, I/O outside front ends, and cycles', () => {
    const d = make({
      ...clean,
      'explore/e.ts': "import { m } from '../machines/m';\nexport const e = m;\n",
      'machines/m.ts': "import { readFileSync } from 'node:fs';\nexport const m = readFileSync.length;\n",
      'bus/b.ts': "import { c } from './c';\nexport const b = 1;\nexport const bc = () => c;\n",
      'bus/c.ts': "import { b } from './b';\nexport const c = () => b;\n",
    });
    const r = depcruise(d);
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/core-not-model: explore\/e\.ts → machines\/m\.ts/);
    expect(r.out).toMatch(/only-front-ends-do-io: machines\/m\.ts → (node:)?fs/);
    expect(r.out).toMatch(/no-cycles: bus\/[bc]\.ts →\s+bus\/[bc]\.ts/);
  });

  test('Biome refuses double casts, process and Node modules outside front ends, and long functions', () => {
    const long = Array.from({ length: 85 }, (_, i) => `  n += ${i};`).join('\n');
    const d = make({
      ...clean,
      'explore/e.ts': [
        'export const e = (x: unknown) => x as unknown as number;',
        'export const f = (x: number) => x as never;',
        'export function g(): number {',
        '  let n = 0;',
        long,
        '  return n;',
        '}',
        '',
      ].join('\n'),
      'bus/b.ts': "import { join } from 'node:path';\nexport const b = process.pid + join('a').length;\n",
    });
    const r = biome(d);
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/as unknown as` silences the compiler/);
    expect(r.out).toMatch(/as never` silences the compiler/);
    expect(r.out).toMatch(/noExcessiveLinesPerFunction/);
    expect(r.out).toMatch(/noProcessGlobal/);
    expect(r.out).toMatch(/noNodejsModules/);
  });

  test('the cast plugins and the 80-line rule reach every folder but specs/, at any depth', () => {
    const folders = ['index.ts', ...['bus', 'explore', 'util', 'machines', 'mmu', 'design', 'invariants', 'actors', 'scenario'].map((f) => `${f}/x.ts`)].concat(
      ['api', 'cli', 'jest', 'inspector', 'report', 'bench', 'examples/deep/er'].map((f) => `${f}/x.ts`),
    );
    const long = Array.from({ length: 85 }, (_, i) => `  n += ${i};`).join('\n');
    const bad = ['export const e = (x: unknown) => x as unknown as number;', 'export const f = (x: number) => x as never;'];
    const fn = ['export function g(): number {', '  let n = 0;', long, '  return n;', '}', ''];
    const files = Object.fromEntries(folders.map((f) => [f, [...bad, ...fn].join('\n')]));
    const d = make({ ...files, 'specs/x.ts': [...bad, ...fn].join('\n') });
    const r = spawnSync(bin('biome'), ['lint', '--max-diagnostics=500', '--reporter=json', '.'], { cwd: d, encoding: 'utf8' });
    const report = JSON.parse(r.stdout) as { diagnostics: { category: string; location: { path: { file: string } | string } }[] };
    const where = (category: RegExp) =>
      new Set(
        report.diagnostics
          .filter((x) => category.test(x.category))
          .map((x) => (typeof x.location.path === 'string' ? x.location.path : x.location.path.file).replace(/\\/g, '/')),
      );
    expect([...where(/plugin/)].sort()).toEqual([...folders].sort());
    expect([...where(/noExcessiveLinesPerFunction/)].sort()).toEqual([...folders].sort());
  });
});
