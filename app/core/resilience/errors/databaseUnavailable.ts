/**
 * Prisma's codes for "the SQL database did not answer", as opposed to the database refusing a
 * query: P1001 cannot reach the server, P1002 reached it but timed out, P1008 the operation
 * timed out (also SQLite's "database is locked" past its busy timeout), P1017 the server
 * closed the connection, P2024 no pooled connection came free in time. The request's outcome
 * is then "try again soon", which the HTTP layer answers 503 with Retry-After, never 500.
 *
 * Recognised by name and code, not by class: each generated client (SQLite, PostgreSQL) ships
 * its own copy of Prisma's runtime, so an error from one is not an instance of the other's.
 * A client that never connected (PrismaClientInitializationError) carries `errorCode`.
 */
const UNANSWERED_CODES: ReadonlySet<string> = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);

export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { name, code, errorCode } = error as { name?: unknown; code?: unknown; errorCode?: unknown };
  if (typeof name !== "string" || !name.startsWith("PrismaClient")) return false;
  const prismaCode = typeof code === "string" ? code : errorCode;
  return typeof prismaCode === "string" && UNANSWERED_CODES.has(prismaCode);
}
