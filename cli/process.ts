/**
 * The CLI as a process: standard output that may close early (`| head` ends quietly with the verdict's
 * exit code) or fail (`> /dev/full`: one line, exit 2, never a verdict), and Ctrl-C / SIGTERM during a
 * search. A search runs synchronously, and Node delivers signals only between tasks, so `explore` runs
 * in a worker thread: the main thread relays a signal through shared memory, which the search's budget
 * reads once per expansion, and the worker prints the partial result (`incomplete`, exit 3).
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { InternalError } from '../util/errors';

export type Interrupt = { readonly aborted: boolean };
export type Line = (s: string) => void;
export type MainFn = (argv: readonly string[], out: Line, err: Line, interrupt?: Interrupt) => Promise<number>;
/** Loads the subcommands when first needed (the relaying main thread of a search never does). */
export type LoadMain = () => MainFn;

interface WorkerInput {
  readonly hypsimArgv: readonly string[];
  readonly flag: Int32Array;
}

/** Runs that search (explore, and export, which explores for a trace) go to a worker thread, so that a signal can stop them. */
const searches = (argv: readonly string[]) => (argv[0] === 'explore' || argv[0] === 'export') && !argv.includes('--help') && !argv.includes('-h');

const stdout = { closed: false, error: null as string | null };

function watchStdout(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') stdout.closed = true;
    // Writes after the first failure report the stream destroyed: the first failure says why.
    else if (e.code !== 'ERR_STREAM_DESTROYED') stdout.error ??= e.code ?? e.message;
  });
  process.stderr.on('error', () => undefined); // nowhere left to report it
}

const out: Line = (s) => {
  if (!stdout.closed && !stdout.error) process.stdout.write(`${s}\n`);
};
const err: Line = (s) => process.stderr.write(`${s}\n`);

/** Exit once stdout and stderr have drained (a long timeline piped to a slow reader arrives whole). */
function finish(code: number): void {
  const done = () => {
    if (stdout.error) {
      process.stderr.write(`hypsim: cannot write standard output (${stdout.error}): the result is lost\n`);
      process.exit(2);
    }
    process.exit(code);
  };
  if (stdout.closed || stdout.error) {
    done();
    return;
  }
  process.stdout.write('', () => process.stderr.write('', done));
}

function internal(e: unknown): void {
  process.stderr.write(`hypsim: internal error: ${(e as Error).stack ?? e}\n`);
  process.exit(70);
}

function inWorker(main: MainFn, input: WorkerInput): void {
  const interrupt: Interrupt = {
    get aborted() {
      return Atomics.load(input.flag, 0) !== 0;
    },
  };
  const port = parentPort;
  if (!port) throw new InternalError('inWorker called outside a worker thread');
  main(input.hypsimArgv, out, err, interrupt).then(
    (code) => process.stdout.write('', () => process.stderr.write('', () => port.postMessage({ code }))),
    (e) => port.postMessage({ internal: (e as Error).stack ?? String(e) }),
  );
}

function searchInWorker(file: string, argv: readonly string[]): void {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(file, { workerData: { hypsimArgv: argv, flag } satisfies WorkerInput });
  let code: number | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (Atomics.load(flag, 0) !== 0) process.exit(signal === 'SIGINT' ? 130 : 143);
    Atomics.store(flag, 0, 1);
    const partial = argv[0] === 'explore' ? ', partial results follow' : '';
    err(`hypsim: ${signal}: stopping the search${partial} (${signal} again to quit at once)`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  worker.on('message', (m: { code?: number; internal?: string }) => {
    if (m.internal) internal(m.internal);
    else code = m.code ?? 70;
  });
  worker.on('error', internal);
  worker.on('exit', () => finish(code ?? 70));
}

/** The entry point: `file` is the compiled main.js (the worker runs the same file). */
export function runCli(load: LoadMain, file: string): void {
  if (!isMainThread) {
    const input = workerData as WorkerInput | undefined;
    if (input?.hypsimArgv) inWorker(load(), input);
    return;
  }
  watchStdout();
  const argv = process.argv.slice(2);
  if (searches(argv)) {
    searchInWorker(file, argv);
    return;
  }
  load()(argv, out, err).then(finish, internal);
}
