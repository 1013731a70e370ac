/**
 * Jest failure messages as a user sees them: a child Jest runs specs/reports/fixtures/frames.fixture.ts
 * (every test there fails) against the built package. Each code frame must point at the fixture's own
 * line, not into jest/matchers or api/for-all; a failed matcher writes its trace and says how to open it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { hypsim, tmp } from '../cli/helpers';

const root = join(__dirname, '..', '..');
const fixture = join(__dirname, 'fixtures', 'frames.fixture.ts');
const traceDir = tmp();
let output = '';

beforeAll(() => {
  const config = {
    rootDir: root,
    roots: ['<rootDir>/specs/reports/fixtures'],
    testMatch: ['**/*.fixture.ts'],
    testEnvironment: 'node',
    transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },
    moduleNameMapper: { '^hypsim$': '<rootDir>/dist/index.js', '^hypsim/jest$': '<rootDir>/dist/jest/index.js' },
  };
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '--config', JSON.stringify(config), '--ci'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, HYPSIM_TRACE_DIR: traceDir, HYPSIM_FULL_TIMELINE: '', FORCE_COLOR: '0' },
  });
  output = stripVTControlCharacters(r.stdout + r.stderr);
  expect(r.status).toBe(1);
  expect(output).toMatch(/Tests: +4 failed, 4 total/);
});

/** The failure block of one test: from its "●" title to the next. */
function block(title: string): string {
  const start = output.indexOf(`● ${title}`);
  expect(start).toBeGreaterThanOrEqual(0);
  const next = output.indexOf('\n  ● ', start + 1);
  return output.slice(start, next < 0 ? undefined : next);
}

const lines = readFileSync(fixture, 'utf8').split('\n');
const lineOf = (tag: string) => lines.findIndex((l) => l.includes(`FRAME:${tag}`)) + 1;

test.each([
  ['typo in the invariant id', 'typo', /"wrong-translaton" is not an invariant of this system/],
  ['forAllInterleavings check fails', 'forall', /forAllInterleavings: the check failed in a state reached after \d+ steps/],
  ['legacy holds in all interleavings', 'violation', /but one breaks wrong-translation/],
  ['not a system', 'nosystem', /the value must be a hypsim System/],
])('%s: the code frame is the fixture line, not hypsim', (title, tag, message) => {
  const b = block(title);
  expect(b).toMatch(message);
  const n = lineOf(tag);
  expect(b).toMatch(new RegExp(`> +${n} \\|`));
  expect(b).toMatch(new RegExp(`at .*frames\\.fixture\\.ts:${n}:\\d+`));
  // The first stack frame is the fixture's; no frame of the library comes before it.
  const stack = b.slice(b.search(new RegExp(`> +${n} \\|`)));
  expect(stack.split('\n').find((l) => /^\s+at /.test(l))).toMatch(/frames\.fixture\.ts/);
  expect(b).not.toMatch(/> +\d+ \|.*(matchers|for-all)/);
});

test('a failed matcher writes the trace next to the test output and says how to open it', () => {
  const b = block('legacy holds in all interleavings');
  const file = join(traceDir, 'legacy-holds-in-all-interleavings.json');
  expect(b).toContain(`trace written to ${file}`);
  expect(b).toContain(`npx hypsim inspect ${file}`);
  expect(existsSync(file)).toBe(true);
  // The file is a real counterexample: replay reaches the same violation.
  const r = hypsim('replay', file, '--quiet');
  expect(r.code).toBe(1);
  // By default only the involved actors' steps: cpu1's are counted, not shown.
  expect(b).toMatch(/step {2}kern cpu0 {2}actor/);
  expect(b).toContain('steps of cpu1 not shown');
  // A misuse writes nothing.
  expect(block('typo in the invariant id')).not.toContain('trace written');
});
