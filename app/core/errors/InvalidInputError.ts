/** One refused field: `path` as the API names it ("holdMinutes", "items[2].allocation"). */
export interface FieldProblem {
  path: string;
  code: string;
  message: string;
}

/**
 * Input the engine refuses before touching Redis. `code` is machine-readable and stable;
 * the HTTP layer maps it to a 4xx answer. `fields` lists every refused field when the input
 * had several (a form shows each next to its field); `code` is then the first one's.
 */
export class InvalidInputError extends Error {
  override readonly name = "InvalidInputError";

  constructor(
    readonly code: string,
    message: string,
    readonly fields: readonly FieldProblem[] = [],
  ) {
    super(message);
  }
}

/** A refusal about one field, carrying its path so a collector can list it. */
export function fieldError(code: string, path: string, message: string): InvalidInputError {
  return new InvalidInputError(code, message, [{ path, code, message }]);
}

/**
 * Runs several field checks and reports every refusal at once instead of the first: `check`
 * returns the checked value, or `fallback` after recording the refusal; `done` throws them
 * all together (nothing is used from a refused input, since `done` runs before any effect).
 */
export class FieldErrorCollector {
  readonly problems: FieldProblem[] = [];

  check<T>(fallback: T, run: () => T): T {
    try {
      return run();
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      this.problems.push(...(error.fields.length > 0 ? error.fields : [{ path: "", code: error.code, message: error.message }]));
      return fallback;
    }
  }

  add(code: string, path: string, message: string): void {
    this.problems.push({ path, code, message });
  }

  done(): void {
    const [first] = this.problems;
    if (first === undefined) return;
    const message = this.problems.length === 1 ? first.message : this.problems.map((problem) => problem.message).join(" ");
    throw new InvalidInputError(first.code, message, this.problems);
  }
}
