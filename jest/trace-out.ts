/**
 * Where a failing matcher writes its counterexample: test-output/hypsim/<test name>.json under the current
 * directory (HYPSIM_TRACE_DIR overrides it), so the failure message can say `npx hypsim inspect FILE`.
 */
import { mkdirSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { recipeOf } from '../api/recipe';
import type { System } from '../api/system';
import type { TraceEntry } from '../bus/trace';
import { traceFileFor, writeTraceFile } from '../report/trace-file';

/** A file name from a test name: letters, digits, '.', '_' and '-' kept, the rest one '-'. */
export function traceFileName(testName: string | undefined): string {
  const base = (testName ?? 'hypsim')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 120);
  return `${base || 'hypsim'}.json`;
}

/** Write the trace; return the lines the failure message adds (where it is, how to open it), or why not. */
export function writeFailureTrace(
  sys: System,
  testName: string | undefined,
  violation: { invariant: string; message: string; trace: TraceEntry[]; loop?: number },
): string[] {
  // A system of your own machines has no design or layout to record: its trace stays in the message.
  if (!recipeOf(sys)) return [];
  const dir = process.env.HYPSIM_TRACE_DIR || join(process.cwd(), 'test-output', 'hypsim');
  const file = join(dir, traceFileName(testName));
  const rel = relative(process.cwd(), file);
  const shown = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
  try {
    mkdirSync(dir, { recursive: true });
    writeTraceFile(file, traceFileFor(sys, { invariant: violation.invariant, message: violation.message }, violation.trace, violation.loop));
  } catch (e) {
    return [`(could not write the trace to ${shown}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`];
  }
  return [`trace written to ${shown}`, `  step through it: npx hypsim inspect ${shown}    re-run it: npx hypsim replay ${shown}`];
}
