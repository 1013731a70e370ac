/**
 * The three layers (docs/architecture.md): the generic core (bus/, explore/, util/) knows actors,
 * events, memory and invariants only; the HYP model (machines/, mmu/, design/, invariants/, actors/,
 * scenario/) knows the protocol; front ends (api/, cli/, jest/, inspector/, report/, bench/) are the only
 * code that touches files, ports, processes and terminals. `npm test` runs this check (specs/arch).
 */
const core = '^(bus|explore|util)/';
const model = '^(machines|mmu|design|invariants|actors|scenario)/';
const frontEnd = '^(api|cli|jest|inspector|report|bench)/';
const io =
  '^(fs|node:fs|fs/promises|node:fs/promises|net|node:net|http|node:http|https|node:https|child_process|node:child_process|worker_threads|node:worker_threads|readline|node:readline|tty|node:tty|os|node:os)$';

module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', comment: 'Import cycles hide the layering.', from: {}, to: { circular: true } },
    { name: 'core-not-model', severity: 'error', comment: 'The generic core never imports the HYP model.', from: { path: core }, to: { path: model } },
    { name: 'core-not-front', severity: 'error', comment: 'The core never imports a front end.', from: { path: core }, to: { path: frontEnd } },
    { name: 'model-not-front', severity: 'error', comment: 'The HYP model never imports a front end.', from: { path: model }, to: { path: frontEnd } },
    {
      name: 'only-front-ends-do-io',
      severity: 'error',
      comment: 'Files, ports, processes and terminals belong to front ends.',
      from: { pathNot: `${frontEnd}|^specs/|^index\\.ts$` },
      to: { dependencyTypes: ['core'], path: io },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|specs)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    parser: 'swc',
    moduleSystems: ['cjs', 'es6'],
  },
};
