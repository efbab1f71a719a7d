// DATABASE_URL rules shared by prisma.config.ts (the CLI), app/db/migrate.server.ts and
// app/db/client.server.ts. It lives here, free of the generated clients, because prisma.config.ts
// must load before `prisma generate` has produced them.
import path from "node:path";
import { fileURLToPath } from "node:url";

export type DatabaseKind = "sqlite" | "postgresql";

/** The default database: prisma/dev.db (gitignored). */
export const DEFAULT_DATABASE_URL = "file:./dev.db";

/** The prisma/ folder: relative SQLite paths resolve against it, as classic Prisma did. */
const PRISMA_DIR = path.dirname(fileURLToPath(import.meta.url));

/** Which driver a URL needs; throws (without echoing credentials) for anything else. */
export function databaseKindOf(url: string): DatabaseKind {
  if (url.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(url)) return "postgresql";
  throw new Error(`DATABASE_URL must start with file:, postgres:// or postgresql:// (got ${redactUrl(url)})`);
}

/**
 * The effective URL for `url` (default: process.env.DATABASE_URL, then prisma/dev.db).
 * The SQLite adapter resolves a relative `file:` path against the current directory, so
 * `npm run` from a subfolder, vitest and the CLI would each open a different file; making
 * it absolute here (relative to prisma/) gives every entry point the same database.
 */
export function resolveDatabaseUrl(url: string | undefined = process.env.DATABASE_URL): string {
  const effective = url === undefined || url.trim() === "" ? DEFAULT_DATABASE_URL : url.trim();
  if (databaseKindOf(effective) !== "sqlite") return effective;
  const file = effective.slice("file:".length);
  if (file === ":memory:" || path.isAbsolute(file)) return effective;
  return `file:${path.resolve(PRISMA_DIR, file)}`;
}

/** The URL with any password replaced, safe for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === "") return url;
    parsed.password = "***";
    return parsed.toString();
  } catch {
    // Not parseable: say nothing about it rather than risk echoing a secret.
    return "<unparseable url>";
  }
}
