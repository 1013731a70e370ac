/** Find a design by preset name, or parse one a front end has read from a JSON file (`load`). */
import { InputError } from '../util/errors';
import { allDesigns, findDesign, parseDesign, type Design } from './design';

/** Reads and parses a JSON file; front ends pass theirs (api/input-file.ts), the model never touches files. */
export type JsonLoader = (path: string, what: string) => unknown;

export function resolveDesign(nameOrFile: string, load?: JsonLoader): Design {
  const preset = findDesign(nameOrFile);
  if (preset) return preset;
  if (!/[./]/.test(nameOrFile) || !load)
    throw new InputError(`unknown design "${nameOrFile}" (presets and mutants: ${allDesigns.map((d) => d.name).join(', ')}, or a JSON file)`);
  const base = nameOrFile.replace(/^.*\//, '').replace(/\.json$/, '');
  return parseDesign(load(nameOrFile, 'design file'), base);
}
