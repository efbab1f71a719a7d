/**
 * Undo steps registered as resources are created, run newest first exactly once: at the
 * end of a run, on an error, or on SIGINT/SIGTERM. Each step is bounded so cleanup itself
 * cannot hang.
 */
export class Cleanup {
  private readonly steps: { label: string; run: () => Promise<unknown> }[] = [];
  private running: Promise<string[]> | null = null;

  add(label: string, run: () => Promise<unknown>): void {
    this.steps.push({ label, run });
  }

  /** Runs every step; returns the failures as messages (never throws). */
  runAll(stepTimeoutMs = 15_000): Promise<string[]> {
    this.running ??= (async () => {
      const failures: string[] = [];
      while (this.steps.length > 0) {
        const step = this.steps.pop()!;
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            step.run(),
            new Promise((_resolve, reject) => {
              timer = setTimeout(() => reject(new Error(`timed out after ${stepTimeoutMs} ms`)), stepTimeoutMs);
            }),
          ]);
        } catch (error) {
          failures.push(`${step.label}: ${error instanceof Error ? error.message : String(error)}`);
        } finally {
          clearTimeout(timer);
        }
      }
      return failures;
    })();
    return this.running;
  }

  /**
   * On SIGINT/SIGTERM: clean up, then exit with 128 + signal number. On an uncaught error
   * (e.g. an 'error' event nobody listened to): clean up, then exit 1.
   */
  handleSignals(log: (message: string) => void): void {
    const onSignal = (signal: NodeJS.Signals, code: number): void => {
      log(`${signal}: cleaning up before exit`);
      void this.runAll().then((failures) => {
        for (const failure of failures) log(`cleanup failed: ${failure}`);
        process.exit(code);
      });
    };
    process.once("SIGINT", () => onSignal("SIGINT", 130));
    process.once("SIGTERM", () => onSignal("SIGTERM", 143));
    const onCrash = (error: unknown): void => {
      log(`uncaught error, cleaning up: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      void this.runAll().then((failures) => {
        for (const failure of failures) log(`cleanup failed: ${failure}`);
        process.exit(1);
      });
    };
    process.once("uncaughtException", onCrash);
    process.once("unhandledRejection", onCrash);
  }
}
