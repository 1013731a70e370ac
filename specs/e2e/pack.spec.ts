/**
 * A user in another project: `npm pack` (prepack builds dist/ from a copy of the sources with no dist/),
 * the tarball installed into a fresh project under the OS temp directory, a plain Jest test there that
 * imports 'hypsim' and 'hypsim/jest', `npx hypsim list`, and the shipped types type-checked. The install
 * uses the npm cache first (--prefer-offline); it needs the npm registry only for what the cache lacks.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { tmp } from '../cli/helpers';

const root = join(__dirname, '..', '..');
const work = tmp();
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const jestVersion = (JSON.parse(readFileSync(join(root, 'node_modules', 'jest', 'package.json'), 'utf8')) as { version: string }).version;
let tarball = '';
let files: string[] = [];

function run(cmd: string, args: string[], cwd: string): { code: number; out: string; stdout: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false', FORCE_COLOR: '0' } });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

beforeAll(() => {
  // A copy of the sources without dist/, so that only prepack can have built what the tarball holds.
  const src = join(work, 'src');
  const skip = new Set(['node_modules', 'dist', '.git', 'test-output']);
  cpSync(root, src, {
    recursive: true,
    filter: (p) =>
      !relative(root, p)
        .split(sep)
        .some((part) => skip.has(part)),
  });
  symlinkSync(join(root, 'node_modules'), join(src, 'node_modules'), 'dir');
  const packed = run(npm, ['pack', '--json', '--pack-destination', work], src);
  expect(packed.code).toBe(0);
  const info = JSON.parse(packed.stdout.slice(packed.stdout.search(/^\[/m))) as { filename: string; files: { path: string }[] }[];
  tarball = join(work, info[0].filename);
  files = info[0].files.map((f) => f.path);
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

test('the tarball holds the built package and its types, not the sources or the tests', () => {
  const wanted = ['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/jest/index.js', 'dist/jest/index.d.ts', 'dist/cli/main.js'];
  for (const f of [...wanted, 'inspector/public/index.html', 'examples/designs/legacy.json']) expect(files).toContain(f);
  expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  expect(files.filter((f) => /^(specs|node_modules|\.ci)\//.test(f) || f.endsWith('.map'))).toEqual([]);
});

test('installed in another project: a Jest test with hypsim/jest passes, npx hypsim list runs, the types resolve', () => {
  const proj = join(work, 'user-project');
  mkdirSync(join(proj, 'test'), { recursive: true });
  writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'user-project', version: '1.0.0', private: true, scripts: { test: 'jest' } }, null, 2));
  const install = run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--save-dev', tarball, `jest@${jestVersion}`], proj);
  expect(install.out).not.toMatch(/ERR!/);
  expect(install.code).toBe(0);
  writeFileSync(
    join(proj, 'test', 'first.test.js'),
    [
      "const { system } = require('hypsim');",
      "require('hypsim/jest');",
      "test('the v3.10 trampoline holds with a CPU going down', () => {",
      "  expect(system({ design: 'trampoline', cpus: 2, hotplug: 1 })).toHoldInAllInterleavings();",
      '});',
      "test('v3.9 on a 1G/3G split keeps a stale TLB entry', () => {",
      "  expect(system({ design: 'legacy', layout: 'collide', cpus: 2 })).toBeViolatedBy('wrong-translation');",
      '});',
    ].join('\n'),
  );
  const jest = run(npm, ['test', '--silent'], proj);
  expect(jest.out).toMatch(/Tests: +2 passed, 2 total/);
  expect(jest.code).toBe(0);
  const list = run('npx', ['--no-install', 'hypsim', 'list'], proj);
  expect(list.code).toBe(0);
  expect(list.out).toMatch(/^design +legacy +v3\.9/m);
  // The shipped declarations: the root and hypsim/jest resolve through "exports" and type a use.
  const use = [
    "import { system, explore } from 'hypsim';",
    "import type { InterleavingOptions } from 'hypsim/jest';",
    "const o: InterleavingOptions = { timeline: 'full' };",
    "const r: 'verified' | 'violation' | 'incomplete' | 'unsatisfiable' = explore(system({ design: 'legacy', cpus: 2 }), o).result;",
    'export { r };',
  ];
  writeFileSync(join(proj, 'use.ts'), `${use.join('\n')}\n`);
  const compilerOptions = { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', skipLibCheck: true, types: [] };
  writeFileSync(join(proj, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['use.ts'] }));
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', proj], { encoding: 'utf8' });
  expect(tsc.stdout + tsc.stderr).toBe('');
  const installed = execFileSync('node', ['-e', "console.log(require('hypsim/package.json').version)"], { cwd: proj, encoding: 'utf8' }).trim();
  expect(installed).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
}, 180_000);
