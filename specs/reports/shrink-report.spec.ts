/**
 * Random and PCT reports say how to get the counterexample again, as fast-check does: the run that found
 * it, its length before shrinking, how many times it was shrunk, the seed, and a command. The command is
 * run here and must find the same counterexample; with one walk fewer it must not (the run number is exact).
 */
import { system } from '../../api/system';
import { explore, replay } from '../../api/explore';
import { sampleSummary } from '../../report/reproduce';
import { explainResult } from '../../jest/explain';
import { parseDesign, findDesign } from '../../design/design';
import { hypsim } from '../cli/helpers';

// trampoline with hotplug from boot: init-completes breaks, found by a later run (run 10 for pct seed 6, 5 for random seed 5).
const flags = ['--design', 'trampoline', '--cpus', '2', '--hotplug', '1', '--hotplug-from-boot', '--quiet'];

/** The output without the figures line (timings differ between runs). */
const stable = (s: string) =>
  s
    .split('\n')
    .filter((l) => !/states\/s/.test(l))
    .join('\n');

test.each([
  ['pct', '6'],
  ['random', '5'],
])('hypsim explore --strategy %s --seed %s: found in run R, N steps shrunk S times to M, and a command that finds it again', (strategy, seed) => {
  const args = ['explore', ...flags, '--strategy', strategy, '--seed', seed];
  const text = hypsim(...args);
  expect(text.code).toBe(1);
  const json = JSON.parse(hypsim(...args, '--json').stdout);
  const sample = json.violation.sample as { run: number; originalSteps: number; shrinkSteps: number; pctDepth?: number };
  const final = json.violation.trace[json.violation.trace.length - 1].step as number;
  expect(sample.run).toBeGreaterThan(1);
  // Each accepted shrink removes at least one step.
  expect(sample.shrinkSteps).toBeGreaterThanOrEqual(sample.originalSteps > final ? 1 : 0);
  expect(sample.shrinkSteps).toBeLessThanOrEqual(sample.originalSteps - final);
  expect(text.stdout).toContain(`after ${final} steps`);
  const depth = strategy === 'pct' ? `, depth ${sample.pctDepth}` : '';
  const times = `${sample.shrinkSteps} time${sample.shrinkSteps === 1 ? '' : 's'}`;
  const found = `  found by ${strategy} in run ${sample.run} (seed ${seed}${depth}): ${sample.originalSteps} steps, shrunk ${times} to ${final} steps`;
  expect(text.stdout).toContain(found);
  const cmd = /^ {2}reproduce: (hypsim explore .*)$/m.exec(text.stdout)![1];
  const given = flags.filter((f) => f !== '--quiet').join(' ');
  expect(cmd).toBe(`hypsim explore ${given} --strategy ${strategy} --seed ${seed} --walks ${sample.run}`);
  const again = hypsim(...cmd.split(' ').slice(1), '--quiet');
  expect(again.code).toBe(1);
  expect(stable(again.stdout)).toBe(stable(text.stdout));
  const fewer = hypsim(
    ...cmd
      .split(' ')
      .slice(1)
      .map((w, i, a) => (a[i - 1] === '--walks' ? String(sample.run - 1) : w)),
    '--quiet',
  );
  expect(fewer.code).toBe(3);
});

test('explainResult (the Jest report): the explore() call and the command, each finding the same trace', () => {
  const sys = system({ design: 'trampoline', cpus: 2, hotplug: 1, hotplugFromBoot: true });
  const r = explore(sys, { strategy: 'pct', seed: 6 });
  const s = r.violation!.sample!;
  const text = explainResult(sys, r);
  expect(text).toContain(`  reproduce: explore(system, { strategy: 'pct', seed: 6, walks: ${s.run}, pctDepth: 3 })`);
  expect(explore(sys, { strategy: 'pct', seed: 6, walks: s.run, pctDepth: 3 }).violation!.trace).toEqual(r.violation!.trace);
  const cmd = /^ {9}or: (hypsim explore .*)$/m.exec(text)![1];
  const system2 = '--design trampoline --layout collide --cpus 2 --hotplug 1 --hotplug-from-boot';
  expect(cmd).toBe(`hypsim explore ${system2} --strategy pct --seed 6 --walks ${s.run} --pct-depth 3`);
  expect(JSON.parse(hypsim(...cmd.split(' ').slice(1), '--json').stdout).violation.trace).toEqual(r.violation!.trace);
  // A design with no name to put on a command line: the call only.
  const own = system({ design: parseDesign({ ...findDesign('trampoline')!, name: 'mine' }, 'mine'), cpus: 2, hotplug: 1, hotplugFromBoot: true });
  const t = explainResult(own, explore(own, { strategy: 'pct', seed: 6 }));
  expect(t).toContain('reproduce: explore(system, {');
  expect(t).not.toMatch(/or: hypsim/);
  // bfs: a shortest counterexample, nothing sampled.
  expect(explainResult(sys, explore(sys))).not.toMatch(/reproduce:|shrunk/);
});

test('a shrink cut short by the budget says so, and its trace still breaks the invariant', () => {
  const sys = system({ design: 'trampoline', cpus: 2, hotplug: 1, hotplugFromBoot: true });
  // Count the budget's checks of a whole run (walks, then shrinking): the last one is the shrinker's.
  let checks = 0;
  const counting = {
    get aborted() {
      checks++;
      return false;
    },
  };
  const whole = explore(sys, { strategy: 'pct', seed: 6, interrupt: counting });
  expect(whole.violation!.sample!.shrinkSteps).toBeGreaterThan(0);
  expect(whole.violation!.sample!.shrinkStoppedBy).toBeUndefined();
  expect(sampleSummary(whole)).not.toMatch(/stopped early/);
  let seen = 0;
  const late = {
    get aborted() {
      return ++seen >= checks;
    },
  };
  const cut = explore(sys, { strategy: 'pct', seed: 6, interrupt: late });
  const s = cut.violation!.sample!;
  expect(s.shrinkStoppedBy).toBe('interrupted');
  expect(sampleSummary(cut)).toMatch(/shrinking stopped early: interrupted; a shorter trace may exist\)$/);
  expect(replay(sys, cut.violation!.trace).violation?.invariant).toBe(whole.violation!.invariant);
});
