/**
 * The core's errors recognised by name, not by class. The pages' modules and the app's
 * SaleService can be two copies of the same code: under Vite (development) and in the Remix
 * build (production) the routes get their own instance of app/core, while the SaleService in
 * the load context comes from the process that started the server. An error thrown by that
 * SaleService is then not `instanceof` the routes' copy of its class; its name and code are
 * the same in every copy.
 */

interface Coded {
  name: string;
  code: string;
  message: string;
}

function coded(error: unknown, names: readonly string[]): error is Coded {
  if (!(error instanceof Error) && (typeof error !== "object" || error === null)) return false;
  const candidate = error as Partial<Coded>;
  return typeof candidate.name === "string" && names.includes(candidate.name) && typeof candidate.code === "string" && typeof candidate.message === "string";
}

/** InvalidInputError (and subclasses that keep its name): the request's values are wrong. */
export const isInvalidInput = (error: unknown): error is Coded => coded(error, ["InvalidInputError"]);

/** SaleConflictError and InvalidTransitionError: the sale's state refuses a valid request. */
export const isSaleConflict = (error: unknown): error is Coded => coded(error, ["SaleConflictError", "InvalidTransitionError"]);

export const isSaleNotFound = (error: unknown): error is Coded => coded(error, ["SaleNotFoundError"]);
