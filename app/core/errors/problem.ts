import type { FieldProblem } from "./InvalidInputError.ts";

/**
 * The one mapping from the core's refusals to the answer every surface gives (the lean API,
 * the admin pages, /metrics' status label): wrong input 400, a missing sale 404, a state that
 * refuses a valid request 409. Anything else is not a refusal but a failure (500).
 *
 * Errors are recognised by name, not by class: under Vite and in the Remix build the pages get
 * their own copy of app/core, so an error thrown by the process's SaleService is not
 * `instanceof` the pages' copy of its class; its name and code are the same in every copy.
 */
export interface Problem {
  status: 400 | 404 | 409;
  /** InvalidInputError, SaleNotFoundError, or a conflict (SaleConflictError, InvalidTransitionError). */
  kind: "invalid_input" | "not_found" | "conflict";
  code: string;
  message: string;
  /** The form field the input error is about, when the core named one. */
  field?: string;
  /** Every refused field, when the input had several problems (`InvalidInputError.fields`). */
  fields?: FieldProblem[];
}

const KINDS: Record<string, Pick<Problem, "status" | "kind">> = {
  InvalidInputError: { status: 400, kind: "invalid_input" },
  SaleNotFoundError: { status: 404, kind: "not_found" },
  SaleConflictError: { status: 409, kind: "conflict" },
  InvalidTransitionError: { status: 409, kind: "conflict" },
};

export function problemOf(error: unknown): Problem | null {
  if (typeof error !== "object" || error === null) return null;
  const candidate = error as { name?: unknown; code?: unknown; message?: unknown; field?: unknown; fields?: unknown };
  const kind = typeof candidate.name === "string" ? KINDS[candidate.name] : undefined;
  if (kind === undefined || typeof candidate.code !== "string" || typeof candidate.message !== "string") return null;
  const fields = Array.isArray(candidate.fields) ? candidate.fields.filter(isFieldProblem) : [];
  return {
    ...kind,
    code: candidate.code,
    message: candidate.message,
    ...(typeof candidate.field === "string" ? { field: candidate.field } : {}),
    ...(fields.length > 0 ? { fields } : {}),
  };
}

function isFieldProblem(value: unknown): value is FieldProblem {
  const entry = value as Partial<Record<keyof FieldProblem, unknown>> | null;
  return typeof entry === "object" && entry !== null && typeof entry.path === "string" && typeof entry.code === "string" && typeof entry.message === "string";
}
