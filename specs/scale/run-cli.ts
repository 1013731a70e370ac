/** The CLI in-process (no node start-up per call): what `hypsim ARGS` prints and returns. */
import { main } from '../../cli/main';

export async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(
    args,
    (s) => (stdout += s + '\n'),
    (s) => (stderr += s + '\n'),
  );
  return { code, stdout, stderr };
}
