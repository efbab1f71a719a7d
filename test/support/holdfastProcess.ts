import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";

import { ROOT } from "../db/databases.ts";

export interface HoldfastProcess {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** The stdout line that matched `until`. */
  match: RegExpExecArray;
}

/** Another start than `npm start`'s: the compiled build, as a container runs it. */
export interface Launch {
  /** The node binary (default: this process's). */
  node?: string;
  /** Node's arguments (default: `--import tsx app/main.ts`). */
  args: string[];
  cwd: string;
  /** `env` is the whole environment, not laid over this process's. */
  exactEnv: boolean;
}

/**
 * `node --import tsx app/main.ts` (what `npm start` runs) with `env` over this process's
 * environment, or what `launch` says; resolves once a stdout line matches `until`, fails with
 * everything it printed if it exits first. Callers give it a Redis of its own (its worker sweeps
 * every sale in its Redis).
 */
export async function spawnHoldfast(env: Record<string, string>, until: RegExp, launch?: Launch): Promise<HoldfastProcess> {
  const child = spawn(launch?.node ?? process.execPath, launch?.args ?? ["--import", "tsx", "app/main.ts"], {
    cwd: launch?.cwd ?? ROOT,
    env: launch?.exactEnv ? env : { ...process.env, REDIS_CLUSTER_NODES: "", ...env },
  });
  let output = "";
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  let match: RegExpExecArray | null = null;
  const lines = createInterface({ input: child.stdout });
  lines.on("line", (line) => {
    output += `${line}\n`;
    match ??= until.exec(line);
  });
  await new Promise<void>((resolve, reject) => {
    const check = () => (match ? resolve() : undefined);
    lines.on("line", check);
    void exited.then((code) => reject(new Error(`${launch?.args.join(" ") ?? "app/main.ts"} exited (${code}) before printing ${until}:\n${output}`)));
  });
  return { child, exited, output: () => output, match: match as unknown as RegExpExecArray };
}
