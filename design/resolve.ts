/** Find a design by preset name or read it from a JSON file. */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { InputError } from '../util/errors';
import { allDesigns, findDesign, parseDesign, type Design } from './design';

export function resolveDesign(nameOrFile: string): Design {
  const preset = findDesign(nameOrFile);
  if (preset) return preset;
  if (!/[./]/.test(nameOrFile)) throw new InputError(`unknown design "${nameOrFile}" (presets and mutants: ${allDesigns.map((d) => d.name).join(', ')}, or a JSON file)`);
  let text: string;
  try {
    text = readFileSync(nameOrFile, 'utf8');
  } catch {
    throw new InputError(`design file ${nameOrFile} cannot be read`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`design file ${nameOrFile} is not valid JSON: ${(e as Error).message}`);
  }
  return parseDesign(json, basename(nameOrFile).replace(/\.json$/, ''));
}
