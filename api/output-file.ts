/**
 * Writing output files (trace files, exports): checked before any work starts, so a long search never
 * ends by losing its result to a missing directory or a device, then written atomically (a temp file in
 * the same directory, renamed over the target) so a reader never sees half a file.
 */
import { closeSync, openSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../util/errors';

const code = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

const tempFor = (path: string) => join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);

/** Refuse a path that cannot take the file: no such directory, a directory, a device or FIFO, no write permission. */
export function checkWritable(path: string, what: string): void {
  if (path === '') throw new InputError(`cannot write the ${what}: the path is empty`);
  let st: ReturnType<typeof statSync> | undefined;
  try {
    st = statSync(path);
  } catch (e) {
    if (code(e) !== 'ENOENT') throw new InputError(`cannot write ${path} (${what}): ${code(e)}`);
  }
  if (st && !st.isFile())
    throw new InputError(
      `cannot write ${path} (${what}): not a regular file (${st.isDirectory() ? 'a directory' : 'a device, FIFO or socket'}); give a file path`,
    );
  const dir = dirname(path);
  try {
    if (!statSync(dir).isDirectory()) throw new InputError(`cannot write ${path} (${what}): ${dir} is not a directory`);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot write ${path} (${what}): the directory ${dir} does not exist (${code(e)})`);
  }
  // Probe with the very temp file the write will use: permissions, read-only file systems.
  const tmp = tempFor(path);
  try {
    closeSync(openSync(tmp, 'wx'));
    unlinkSync(tmp);
  } catch (e) {
    throw new InputError(`cannot write ${path} (${what}): ${code(e)}`);
  }
}

/** Write `text` to `path` atomically; a failure leaves any old file as it was. */
export function writeFileAtomic(path: string, text: string, what: string): void {
  checkWritable(path, what);
  const tmp = tempFor(path);
  try {
    writeFileSync(tmp, text, { flag: 'wx' });
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw new InputError(`cannot write ${path} (${what}): ${code(e)}`);
  }
}
