import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/commands';

export const bin = join(__dirname, '..', '..', 'dist', 'cli', 'main.js');

/** Run the built CLI as a user would. */
/** The flags of the small trampoline system many CLI specs run: 2 CPUs, hotplug K=1. */
export const trampolineK1: readonly string[] = ['--design', 'trampoline', '--cpus', '2', '--hotplug', '1'];

export function hypsim(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Run the CLI's `main` in this process (no spawn), collecting its stdout and stderr lines. */
export async function runMain(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    (s) => out.push(s),
    (s) => err.push(s),
  );
  return { code, out, err };
}

export function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'hypsim-'));
}

/** Start `hypsim inspect ARGS` and wait for its URL line. */
export function startInspect(...args: string[]): Promise<{ url: string; child: ChildProcess; stdout: () => string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [bin, 'inspect', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL from hypsim inspect ${args.join(' ')}: ${stdout}${stderr}`)), 60_000);
    const check = () => {
      const m = /hypsim inspector: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout);
      if (m && /Ctrl-C to stop/.test(stdout)) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          child,
          stdout: () => stdout,
          stop: () => {
            if (child.exitCode === null) child.kill('SIGTERM');
            return exited;
          },
        });
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hypsim inspect exited ${code}: ${stdout}${stderr}`));
    });
  });
}
