/**
 * A SpillStore on disk: each frontier block one file in a private directory (created on the first
 * write, under `dir` or the OS temp dir), read back once and deleted; `close()` removes the directory.
 */
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SpillStore } from '../explore/spill';
import { InputError } from '../util/errors';

/** Checked before a search starts: a long run must not fail when its frontier first spills. */
export function checkSpillDir(dir: string, command: string): void {
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new InputError(`hypsim ${command}: --spill-dir ${dir} is not a writable directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

export class FileSpillStore implements SpillStore {
  private dir: string | null = null;
  private next = 0;

  constructor(private readonly parent: string = tmpdir()) {}

  private file(id: number): string {
    if (this.dir === null) {
      try {
        this.dir = mkdtempSync(join(this.parent, 'hypsim-spill-'));
      } catch (e) {
        throw new InputError(`cannot create a spill directory in ${this.parent}: ${(e as Error).message}`);
      }
    }
    return join(this.dir, `${id}.bin`);
  }

  write(block: Uint8Array): number {
    const id = this.next++;
    writeFileSync(this.file(id), block);
    return id;
  }

  read(id: number): Uint8Array {
    const f = this.file(id);
    const b = readFileSync(f);
    unlinkSync(f);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }

  close(): void {
    if (this.dir !== null) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}
