// Brings a database up to the current schema: `npm run db:migrate`, or migrateDatabase() from
// the server start and tests.
// - SQLite: `prisma migrate deploy` (prisma/migrations), through the local CLI.
// - PostgreSQL: Prisma's migrate commands fail there with the JS engine (prisma/orm#27403), so
//   a small runner applies prisma/postgres/migrations/<name>/migration.sql in name order, each
//   in its own transaction, and records it in _holdfast_migrations.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { config as loadDotenv } from "dotenv";
import pg from "pg";
import { databaseKindOf, redactUrl, resolveDatabaseUrl, type DatabaseKind } from "../../prisma/database-url.ts";

export type MigrationLog = (line: string) => void;

export interface MigrationResult {
  kind: DatabaseKind;
  /** Names applied by this run, oldest first; empty when the database was up to date. */
  applied: string[];
}

export interface MigrateOptions {
  /** PostgreSQL migrations folder; tests point it elsewhere. */
  postgresMigrationsDir?: string;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const POSTGRES_MIGRATIONS = path.join(ROOT, "prisma/postgres/migrations");
const MIGRATIONS_TABLE = "_holdfast_migrations";
// Serialises concurrent runs (several replicas starting at once); any constant bigint works.
const ADVISORY_LOCK_KEY = 0x686f6c64; // "hold"

/** Applies pending migrations to `url` (default: DATABASE_URL, then prisma/dev.db). */
export async function migrateDatabase(url: string | undefined, log: MigrationLog = console.log, options: MigrateOptions = {}): Promise<MigrationResult> {
  const resolved = resolveDatabaseUrl(url);
  const kind = databaseKindOf(resolved);
  const applied =
    kind === "sqlite" ? await migrateSqlite(resolved) : await migratePostgres(resolved, options.postgresMigrationsDir ?? POSTGRES_MIGRATIONS, log);
  if (kind === "sqlite") for (const name of applied) log(`applied ${name}`);
  log(
    applied.length === 0
      ? `database is up to date (${kind}, ${redactUrl(resolved)})`
      : `applied ${applied.length} migration(s) to ${kind} ${redactUrl(resolved)}`,
  );
  return { kind, applied };
}

// --- SQLite ---------------------------------------------------------------------------------

async function migrateSqlite(url: string): Promise<string[]> {
  const file = url.slice("file:".length);
  // Prisma reports a missing folder only as "External error id#0".
  if (file !== ":memory:" && !existsSync(path.dirname(file))) {
    throw new Error(`folder ${path.dirname(file)} does not exist`);
  }
  const before = sqliteAppliedMigrations(file);
  // Starting the Prisma CLI costs ~1.7 s: skip it when every migration folder is applied.
  if (sqliteMigrationNames().every((name) => before.includes(name))) return [];
  await runPrisma(["migrate", "deploy"], url);
  // Ask the database, not Prisma's console output, which migrations this run applied.
  return sqliteAppliedMigrations(file).filter((name) => !before.includes(name));
}

function sqliteMigrationNames(): string[] {
  const dir = path.join(ROOT, "prisma/migrations");
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, "migration.sql")))
    .map((entry) => entry.name);
}

function sqliteAppliedMigrations(file: string): string[] {
  if (file === ":memory:" || !existsSync(file)) return [];
  const db = new Database(file, { readonly: true });
  try {
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'").get();
    if (table === undefined) return [];
    const rows = db
      .prepare("SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name")
      .all() as { name: string }[];
    return rows.map((row) => row.name);
  } finally {
    db.close();
  }
}

function runPrisma(args: string[], url: string): Promise<void> {
  const cli = createRequire(import.meta.url).resolve("prisma/build/index.js");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`prisma ${args.join(" ")} failed: ${prismaErrorSummary(output)}`));
    });
  });
}

/** Prisma prints banners and blank lines around its error; keep the error itself. */
function prismaErrorSummary(output: string): string {
  const lines = output.split("\n").map((line) => line.trim());
  const start = lines.findIndex((line) => line.startsWith("Error"));
  const relevant = (start === -1 ? lines : lines.slice(start)).filter((line) => line !== "");
  return relevant.join(" ").slice(0, 500) || `exit code without output`;
}

// --- PostgreSQL -----------------------------------------------------------------------------

interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

function readPostgresMigrations(dir: string): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

async function migratePostgres(url: string, dir: string, log: MigrationLog): Promise<string[]> {
  const migrations = readPostgresMigrations(dir);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [ADVISORY_LOCK_KEY]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
         name text PRIMARY KEY,
         checksum text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const done = await client.query<{ name: string; checksum: string }>(`SELECT name, checksum FROM ${MIGRATIONS_TABLE}`);
    const appliedChecksums = new Map(done.rows.map((row) => [row.name, row.checksum]));
    const applied: string[] = [];
    for (const migration of migrations) {
      const previous = appliedChecksums.get(migration.name);
      if (previous !== undefined) {
        // Editing an applied migration changes nothing in existing databases: say so.
        if (previous !== migration.checksum) log(`warning: ${migration.name} changed after it was applied; not re-run`);
        continue;
      }
      await applyPostgresMigration(client, migration);
      log(`applied ${migration.name}`);
      applied.push(migration.name);
    }
    return applied;
  } finally {
    // Closing the session also releases the advisory lock.
    await client.end();
  }
}

async function applyPostgresMigration(client: pg.Client, migration: Migration): Promise<void> {
  try {
    await client.query("BEGIN");
    // No parameters: the simple query protocol runs the whole multi-statement file.
    await client.query(migration.sql);
    await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (name, checksum) VALUES ($1, $2)`, [migration.name, migration.checksum]);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw new Error(`migration ${migration.name} failed (rolled back): ${messageOf(error)}`, { cause: error });
  }
}

// --- CLI ------------------------------------------------------------------------------------

/**
 * Why the database at `url` cannot be used, as one line for a person starting the service:
 * which database (password redacted), what went wrong, and what to do about it.
 */
export function databaseFailureLine(error: unknown, url: string | undefined): string {
  return `the database${targetOf(url).replace(/^ for /, " at ")} cannot be used (${oneLine(messageOf(error), url)}): start it or correct DATABASE_URL`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** One line, and never the password, whatever the driver put in its message. */
function oneLine(message: string, url: string | undefined): string {
  let text = message.replace(/\s+/g, " ").trim();
  if (url) {
    text = text.split(url).join(redactUrl(url));
    const password = passwordOf(url);
    if (password) text = text.split(password).join("***");
  }
  return text;
}

function passwordOf(url: string): string {
  try {
    const password = new URL(url).password;
    return password === "" ? "" : decodeURIComponent(password);
  } catch {
    return "";
  }
}

/** " for <redacted url>", or nothing when the URL itself is the problem. */
function targetOf(url: string | undefined): string {
  try {
    return ` for ${redactUrl(resolveDatabaseUrl(url))}`;
  } catch {
    return "";
  }
}

async function main(): Promise<void> {
  loadDotenv({ quiet: true });
  const url = process.env.DATABASE_URL;
  try {
    await migrateDatabase(url, (line) => console.log(`db:migrate: ${line}`));
  } catch (error) {
    console.error(`db:migrate failed${targetOf(url)}: ${oneLine(messageOf(error), url)}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
