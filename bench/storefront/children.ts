import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { sleep } from "../lib/closedLoop.ts";
import { processCpuSeconds } from "../lib/cpu.ts";
import { isChildMessage, type ChildMessage } from "./protocol.ts";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const STDERR_LINES_KEPT = 40;

export interface ChildOptions {
  /** Script path relative to the repository root, run with `node --import tsx`. */
  script: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** Extra flags for node itself, e.g. --cpu-prof. */
  nodeFlags?: string[];
  onMessage?: (message: ChildMessage) => void;
}

/** A TypeScript child process that talks ChildMessages (one JSON object a line) on stdout. */
export class BenchChild {
  readonly pid: number;
  /** Lines the child logged at level error (the app's JSON logger) on stderr. */
  errorLogLines = 0;
  private readonly process: ChildProcess;
  private readonly stderrTail: string[] = [];
  private readonly received: ChildMessage[] = [];
  private readonly waiters = new Set<() => void>();
  private exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    options: ChildOptions,
  ) {
    this.process = spawn(process.execPath, [...(options.nodeFlags ?? []), "--import", "tsx", options.script, ...(options.args ?? [])], {
      cwd: REPO_ROOT,
      env: options.env ?? process.env,
      // stdin stays open: a child that sees it close knows its parent is gone.
      stdio: ["pipe", "pipe", "pipe"],
    });
    if (this.process.pid === undefined) throw new Error(`${name}: could not start ${options.script}`);
    this.pid = this.process.pid;
    this.exited = new Promise((resolve) =>
      this.process.once("exit", (code, signal) => {
        this.exit = { code, signal };
        this.wake();
        resolve();
      }),
    );
    this.process.once("error", (error) => {
      this.stderrTail.push(`spawn error: ${error.message}`);
      this.wake();
    });
    createInterface({ input: this.process.stdout! }).on("line", (line) => {
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        this.keepStderr(`(stdout) ${line}`);
        return;
      }
      if (!isChildMessage(message)) return;
      options.onMessage?.(message);
      this.received.push(message);
      this.wake();
    });
    createInterface({ input: this.process.stderr! }).on("line", (line) => {
      if (line.includes('"level":"error"')) this.errorLogLines += 1;
      this.keepStderr(line);
    });
  }

  /** Waits for the first message of `type` (earlier ones included); fails on a fatal message, an exit or the deadline. */
  async waitFor<T extends ChildMessage["type"]>(type: T, timeoutMs: number): Promise<Extract<ChildMessage, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.received.findIndex((message) => message.type === type || message.type === "fatal");
      if (index >= 0) {
        const message = this.received.splice(index, 1)[0]!;
        if (message.type === "fatal") throw new Error(`${this.name} failed: ${message.message}`);
        return message as Extract<ChildMessage, { type: T }>;
      }
      if (this.exit) throw new Error(`${this.name} exited (code ${this.exit.code}, signal ${this.exit.signal}) before "${type}"${this.describeStderr()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.name}: no "${type}" within ${Math.round(timeoutMs / 1_000)} s${this.describeStderr()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(() => {
          done();
        });
      });
    }
  }

  /** Its own CPU and that of the children it has waited for (wrk, under BENCH_LOADGEN=wrk). */
  cpuSeconds(): number | null {
    return processCpuSeconds(this.pid, true);
  }

  get running(): boolean {
    return this.exit === null;
  }

  /** SIGTERM (the child closes and exits), then SIGKILL after `graceMs`; by pid, this child only. */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.running) return;
    this.process.kill("SIGTERM");
    await Promise.race([this.exited, sleep(graceMs)]);
    if (this.running) {
      this.process.kill("SIGKILL");
      await Promise.race([this.exited, sleep(2_000)]);
    }
  }

  /** Writes one line on the child's stdin (a command such as serverWindow.ts's). */
  tell(line: string): void {
    this.process.stdin?.write(`${line}\n`);
  }

  /** Resolves when the child has exited by itself. */
  waitForExit(timeoutMs: number): Promise<boolean> {
    return Promise.race([this.exited.then(() => true), sleep(timeoutMs).then(() => false)]);
  }

  lastStderr(): string[] {
    return [...this.stderrTail];
  }

  private describeStderr(): string {
    return this.stderrTail.length ? `; its last stderr lines:\n  ${this.stderrTail.slice(-12).join("\n  ")}` : "";
  }

  private keepStderr(line: string): void {
    this.stderrTail.push(line);
    if (this.stderrTail.length > STDERR_LINES_KEPT) this.stderrTail.shift();
  }

  private wake(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const waiter of waiters) waiter();
  }
}
