/** `--trace-out FILE`: write the trace file and say, on stderr, where it went and how to open it. */
import type { TraceFile } from '../report/trace-file';
import { writeTraceFile } from '../report/trace-file';
import { InputError } from '../util/errors';
import { shellWords } from '../report/reproduce';

export function writeTraceOut(command: string, path: string, file: TraceFile, err: (s: string) => void): void {
  try {
    writeTraceFile(path, file);
  } catch (e) {
    throw new InputError(`hypsim ${command}: cannot write --trace-out ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const p = shellWords([path]);
  const what = file.violation ? ` (${file.violation.invariant})` : '';
  err(`trace written to ${path}${what} — step through it: hypsim inspect ${p}   re-run it: hypsim replay ${p}`);
}

/** No counterexample: nothing is written, and the user is told so rather than left with an old file. */
export function noTraceOut(command: string, path: string, err: (s: string) => void): void {
  err(`hypsim ${command}: no counterexample, so nothing was written to ${path}`);
}
