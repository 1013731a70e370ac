/** For the Redis specs: a real redis-server on a free loopback port, and child processes whose output is kept. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

const REDIS = '/usr/bin/redis-server';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

export interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export function start(cmd: string, args: string[]): Proc {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (text += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, output: () => text, exited };
}

export async function until(cond: () => boolean, what: string, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startRedis(): Promise<{ url: string; proc: Proc }> {
  if (!existsSync(REDIS))
    throw new Error(`${REDIS} not found: the Redis tests need Debian's redis-server (apt-get install -y redis-server; .ci/run installs it)`);
  const port = await freePort();
  const proc = start(REDIS, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  await until(() => /Ready to accept connections/.test(proc.output()), 'redis-server');
  return { url: `redis://127.0.0.1:${port}`, proc };
}

/** The `hypsim worker --redis URL` processes a spec starts (one thread, stalled work reclaimed after 1 s), kept to be killed at the end. */
export function workerPool(bin: string): { workers: Proc[]; worker: (url: string) => Proc } {
  const workers: Proc[] = [];
  const worker = (url: string) => {
    const w = start(process.execPath, [bin, 'worker', '--redis', url, '--threads', '1', '--reclaim-after', '1']);
    workers.push(w);
    return w;
  };
  return { workers, worker };
}

/** The first line of a process's output that is a JSON object (a coordinator's `--json` result), parsed; null if none. */
// biome-ignore lint/suspicious/noExplicitAny: specs read the result's fields freely
export function jsonLine(text: string): any {
  return JSON.parse(text.split('\n').find((l) => l.startsWith('{')) ?? 'null');
}
