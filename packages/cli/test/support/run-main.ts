import { main } from '../../src/index.js';

/** `main(argv)` in this process, with what it wrote: for argument errors, which start nothing. */
export async function runMain(argv: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (line) => (out += `${line}\n`), err: (line) => (err += `${line}\n`) });
  return { code, out, err };
}
