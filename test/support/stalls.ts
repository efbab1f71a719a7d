/**
 * Answers a stand-in holds back to play a platform that hangs; closing the stand-in lets
 * every held answer go, so no test waits out a stall after it has finished.
 */
export class Stalls {
  private readonly pending = new Set<() => void>();

  /** Resolves after `ms`, or as soon as releaseAll() is called. */
  wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const release = () => {
        clearTimeout(timer);
        this.pending.delete(release);
        resolve();
      };
      const timer = setTimeout(release, ms);
      this.pending.add(release);
    });
  }

  releaseAll(): void {
    for (const release of this.pending) release();
  }
}
