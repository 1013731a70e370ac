/**
 * What rebuilds a system elsewhere: for a HYP system its design, layout and bounds. Trace files, the
 * `hypsim explore` command that reproduces a sampled run and the flags checked against a trace file need
 * it; a system of your own machines (system({ spec })) has none. Features that cannot do without one
 * refuse here, in one typed error (exit 2 from the CLI).
 */
import type { HypConfig } from '../actors/hyp-config';
import { InputError } from '../util/errors';
import type { System } from './system';

export type Recipe = HypConfig;

/** The system's recipe, or undefined for a system of your own machines. */
export function recipeOf(sys: System): Recipe | undefined {
  return sys.hyp?.config;
}

/** The system's recipe; an InputError naming `feature` for a system of your own machines. */
export function requireRecipe(sys: System, feature: string): Recipe {
  const r = recipeOf(sys);
  if (!r) throw new InputError(`${feature} needs a HYP system (design, layout, bounds) to rebuild; a system of your own machines has none`);
  return r;
}
