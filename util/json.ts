/**
 * Depth-safe JSON for input files: JSON.parse itself copes with deep nesting, but every recursive walk
 * after it (validation, stable keys) would overflow the stack, so nesting deeper than a limit is refused.
 */
import { InputError } from './errors';

/** No hypsim input (design, layout, scenario, trace) nests anywhere near this deep. */
export const MAX_JSON_DEPTH = 64;

/** The deepest bracket nesting of a JSON text, counted outside strings, without recursion. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max) max = depth;
    } else if (c === 93 || c === 125) depth--;
  }
  return max;
}

/** Parse `text` as JSON; `what` names the input in the one-line error ("design file x.json"). */
export function parseJson(text: string, what: string, maxDepth = MAX_JSON_DEPTH): unknown {
  const depth = jsonDepth(text);
  if (depth > maxDepth) throw new InputError(`${what}: JSON nested ${depth} levels deep (at most ${maxDepth})`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${what}: not valid JSON (${(e as Error).message})`);
  }
}
