/**
 * Reading the user's input files (designs, layouts, scenarios, traces): regular files only (a FIFO would
 * hang, /dev/zero would never end), at most MAX_INPUT_BYTES, depth-safe JSON. Front ends read through here.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { InputError } from '../util/errors';
import { parseJson } from '../util/json';

/** Far above any real input: a trace of a million deliveries is about 100 MB with indentation removed. */
export const MAX_INPUT_BYTES = 128 * 1024 * 1024;

/** The text of the regular file at `path`; `what` names it in the error ("design file"). */
export function readInputText(path: string, what: string, maxBytes = MAX_INPUT_BYTES): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new InputError(`${what} ${path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile())
      throw new InputError(`${what} ${path}: not a regular file (${st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : 'a device or socket'})`);
    if (st.size > maxBytes) throw new InputError(`${what} ${path}: ${st.size} bytes, more than the ${maxBytes} allowed`);
    const buf = readFileSync(fd);
    if (buf.length > maxBytes) throw new InputError(`${what} ${path}: grew past ${maxBytes} bytes while being read`);
    return buf.toString('utf8');
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${what} ${path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  } finally {
    closeSync(fd);
  }
}

/** The JSON value in the regular file at `path`. */
export function readInputJson(path: string, what: string): unknown {
  return parseJson(readInputText(path, what), `${what} ${path}`);
}
