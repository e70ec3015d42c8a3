import { main } from '../../infra/cli/main.js';

/** Runs agentctl in-process with its own stdout and stderr sinks; returns the exit code and both streams. */
export async function agentctl(
  ...argv: string[]
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    { write: (text: string) => out.push(text) } as never,
    { write: (text: string) => err.push(text) } as never,
  );
  return { code, out: out.join(''), err: err.join('') };
}
