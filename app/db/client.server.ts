// The one place that builds the Prisma client. SQLite by default (prisma/dev.db), PostgreSQL
// when DATABASE_URL is postgres:// or postgresql://. Both go through driver adapters: the
// native query engine is not available here (see prisma/README.md).
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as PostgresClient } from "../generated/prisma-pg/index.js";
import { PrismaClient as SqliteClient } from "../generated/prisma-sqlite/index.js";
import { databaseKindOf, redactUrl, resolveDatabaseUrl, type DatabaseKind } from "../../prisma/database-url.ts";

export { databaseKindOf, redactUrl, resolveDatabaseUrl };
export type { DatabaseKind } from "../../prisma/database-url.ts";

/**
 * The client type the app codes against, whichever database is behind it. Both generated
 * clients come from the same models (prisma/postgres/schema.prisma is derived from
 * prisma/schema.prisma), so their model APIs match; the SQLite one is the narrower of the two
 * (no `mode: "insensitive"`, no `skipDuplicates`), so code typed against it runs on both.
 */
export type Db = SqliteClient;

// Errors carry the call and the reason only. Prisma's default adds a code frame of the call site,
// which from the generated client is a few kilobytes of its minified runtime in every log line.
const ERROR_FORMAT = "minimal";

/** A new client for `url` (default: DATABASE_URL, then prisma/dev.db). Callers disconnect it. */
export function createDb(url?: string): Db {
  const resolved = resolveDatabaseUrl(url);
  if (databaseKindOf(resolved) === "sqlite") {
    return new SqliteClient({ adapter: new PrismaBetterSQLite3({ url: resolved }), errorFormat: ERROR_FORMAT });
  }
  // Same models, different generated package: see the note on `Db`.
  return new PostgresClient({ adapter: new PrismaPg({ connectionString: resolved }), errorFormat: ERROR_FORMAT }) as Db;
}

// Kept on globalThis so dev-server module reloads reuse one client (one pool) instead of
// opening a new one per edit, as Shopify's app template does.
const globalHolder = globalThis as typeof globalThis & { __holdfastDb?: { url: string; db: Db } };

/** The process-wide client for DATABASE_URL, created on first use. */
export function getDb(): Db {
  const url = resolveDatabaseUrl();
  const current = globalHolder.__holdfastDb;
  if (current !== undefined) {
    if (current.url !== url) {
      throw new Error(`DATABASE_URL changed to ${redactUrl(url)} after the client was created; call closeDb() first`);
    }
    return current.db;
  }
  const db = createDb(url);
  globalHolder.__holdfastDb = { url, db };
  return db;
}

/**
 * The database behind a client (raw SQL differs in its placeholders). Read from the provider
 * the generated client records about itself, so clients derived with `$extends` answer too;
 * pinned Prisma 6.19 (see prisma/README.md), and test/db covers both kinds.
 */
export function databaseKindOfDb(db: Db): DatabaseKind {
  const provider = (db as unknown as { _activeProvider?: unknown })._activeProvider;
  if (provider === "sqlite" || provider === "postgresql") return provider;
  throw new Error(`cannot tell which database this Prisma client talks to (provider ${String(provider)})`);
}

/** Disconnects the process-wide client, if any; the next getDb() creates a fresh one. */
export async function closeDb(): Promise<void> {
  const current = globalHolder.__holdfastDb;
  globalHolder.__holdfastDb = undefined;
  await current?.db.$disconnect();
}

/** Resolves when the database answers a trivial query (readiness checks). */
export async function pingDb(db: Db): Promise<void> {
  await db.$queryRaw`SELECT 1`;
}

/**
 * True for a unique-constraint violation (Prisma P2002), e.g. a duplicate webhook's order or
 * ledger entry. Checked by code, not instanceof: each generated client ships its own copy of
 * the runtime, so an error from the PostgreSQL client is not an instance of the SQLite
 * client's error class.
 */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "P2002";
}
