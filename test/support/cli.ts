import { vi } from "vitest";

import { main } from "../../app/cli.ts";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `npm run holdfast -- <args>` in this process (the CLI's main) with `env` set for the call
 * and put back afterwards, its output captured instead of printed.
 */
export async function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
