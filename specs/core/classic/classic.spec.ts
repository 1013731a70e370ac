/**
 * Classic concurrency problems checked by hypsim and by SPIN (Debian's `spin`): the verdicts must agree, and
 * so must the number of states where the step granularity is the same (every one here: one hypsim step is
 * one Promela statement or d_step; SPIN runs without its partial-order reduction, statement merging or
 * monitors, hypsim without reductions or invariants).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { explore, system } from '../../../index';
import { toSpec } from './commands';
import { classics } from './systems';

const hasSpin = spawnSync('sh', ['-c', 'command -v spin']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'hypsim-spin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run SPIN on a model: `spin -a`, `gcc pan.c`, `./pan`; states stored and whether it reported an error. */
function spin(name: string, promela: string, props: boolean): { states: number; errors: number } {
  const d = join(dir, name.replace(/[^a-z0-9]+/gi, '-') + (props ? '-props' : ''));
  execFileSync('mkdir', ['-p', d]);
  writeFileSync(join(d, 'model.pml'), promela);
  execFileSync('spin', ['-a', '-o3', ...(props ? ['-DPROPS'] : []), 'model.pml'], { cwd: d, stdio: 'pipe' });
  execFileSync('gcc', ['-O0', '-DNOREDUCE', '-DSAFETY', '-o', 'pan', 'pan.c'], { cwd: d, stdio: 'pipe' });
  const out = spawnSync('./pan', props ? [] : ['-E'], { cwd: d, encoding: 'utf8' }).stdout;
  const states = /(\d+) states, stored/.exec(out);
  const errors = /errors: (\d+)/.exec(out);
  if (!states || !errors) throw new Error(`pan printed no statistics for ${name}:\n${out}`);
  return { states: Number(states[1]), errors: Number(errors[1]) };
}

test('spin is installed', () => {
  if (!hasSpin) throw new Error('spin not found on PATH: apt-get install -y spin');
});

describe.each(classics.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  const run = hasSpin ? test : test.skip;
  run('hypsim and SPIN give the same verdict, in every setting of hypsim', () => {
    const theirs = spin(c.name, c.promela, true).errors > 0;
    const sys = system({ spec: toSpec(c) });
    for (const strategy of ['bfs', 'dfs'] as const)
      for (const por of [true, false]) {
        const r = explore(sys, { strategy, por, symmetry: false });
        expect(`${strategy} por=${por}: ${r.result}`).toBe(`${strategy} por=${por}: ${theirs ? 'violation' : 'verified'}`);
      }
    expect(theirs).toBe(c.violated);
  });
  run('hypsim and SPIN store the same number of states', () => {
    const theirs = spin(c.name, c.promela, false).states;
    const ours = explore(system({ spec: toSpec(c, false) }), { por: false, symmetry: false }).stats.states;
    expect(ours).toBe(theirs);
  });
});
