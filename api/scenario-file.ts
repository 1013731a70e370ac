/** Read a scenario file (regular file, size cap, depth-safe JSON) and check it against a system. */
import { compileScenario, type CompiledScenario } from '../scenario/validate';
import { readInputJson } from './input-file';
import type { System } from './system';

/**
 * @example
 * const s = readScenarioFile('examples/scenarios/free-boot-pgd-cpu1-returns.json', system({ design: 'free-boot-pgd', cpus: 2, hotplug: 1 }));
 */
export function readScenarioFile(path: string, sys: System): CompiledScenario {
  return compileScenario(sys, readInputJson(path, 'scenario file'), `scenario file ${path}`);
}
