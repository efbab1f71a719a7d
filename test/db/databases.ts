// Throwaway databases for test/db: a temporary SQLite file, or a uniquely named PostgreSQL
// database on the local server, so these tests can run in parallel with anything else.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import pg from "pg";
import type { DatabaseKind, Db } from "../../app/db/client.server.ts";

export const KINDS: readonly DatabaseKind[] = ["sqlite", "postgresql"];
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The server to create test databases on (any database there; we connect to it to CREATE). */
export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  kind: DatabaseKind;
  url: string;
  drop(): Promise<void>;
}

export function freshDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  return kind === "sqlite" ? freshSqlite() : freshPostgres();
}

async function freshSqlite(): Promise<TestDatabase> {
  const dir = await mkdtemp(path.join(tmpdir(), "holdfast-db-"));
  return {
    kind: "sqlite",
    url: `file:${path.join(dir, "test.db")}`,
    drop: () => rm(dir, { recursive: true, force: true }),
  };
}

async function freshPostgres(): Promise<TestDatabase> {
  const name = `holdfast_t_${randomBytes(6).toString("hex")}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    kind: "postgresql",
    url: url.toString(),
    // FORCE: a client a failed test left open must not keep the database alive.
    drop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Runs SQL (several statements allowed) against a test database. */
export async function execSql(db: TestDatabase, sql: string): Promise<void> {
  if (db.kind === "sqlite") {
    const conn = new Database(db.url.slice("file:".length));
    try {
      conn.exec(sql);
    } finally {
      conn.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Rows of a query, for assertions that must not go through Prisma. */
export async function queryRows(db: TestDatabase, sql: string): Promise<Record<string, unknown>[]> {
  if (db.kind === "sqlite") {
    const conn = new Database(db.url.slice("file:".length), { readonly: true });
    try {
      return conn.prepare(sql).all() as Record<string, unknown>[];
    } finally {
      conn.close();
    }
  }
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return (await client.query<Record<string, unknown>>(sql)).rows;
  } finally {
    await client.end();
  }
}

const execFileAsync = promisify(execFile);

/** Runs the local Prisma CLI; DATABASE_URL is an in-memory SQLite so no dev.db is touched. */
export async function prismaCli(args: string[]): Promise<string> {
  const cli = path.join(ROOT, "node_modules/prisma/build/index.js");
  const { stdout } = await execFileAsync(process.execPath, [cli, ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: "file::memory:" },
  });
  return stdout;
}

/**
 * A sorted description of the tables, columns, indexes and constraints of the app's tables
 * (migration bookkeeping excluded): two databases with the same description have the same
 * schema, whatever order the columns were added in.
 */
export async function describeSchema(db: TestDatabase): Promise<string[]> {
  return (db.kind === "sqlite" ? await describeSqlite(db) : await describePostgres(db)).sort();
}

async function describeSqlite(db: TestDatabase): Promise<string[]> {
  const lines: string[] = [];
  const tables = await queryRows(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations'");
  for (const { name } of tables) {
    const table = String(name);
    for (const c of await queryRows(db, `PRAGMA table_info("${table}")`)) {
      lines.push(`column ${table}.${String(c.name)} ${String(c.type)} notnull=${String(c.notnull)} default=${String(c.dflt_value)} pk=${String(c.pk)}`);
    }
    for (const i of await queryRows(db, `PRAGMA index_list("${table}")`)) {
      const cols = await queryRows(db, `PRAGMA index_info("${String(i.name)}")`);
      lines.push(`index ${table}.${String(i.name)} unique=${String(i.unique)} (${cols.map((c) => String(c.name)).join(",")})`);
    }
    for (const f of await queryRows(db, `PRAGMA foreign_key_list("${table}")`)) {
      lines.push(`fk ${table}.${String(f.from)} -> ${String(f.table)}.${String(f.to)} update=${String(f.on_update)} delete=${String(f.on_delete)}`);
    }
  }
  return lines;
}

async function describePostgres(db: TestDatabase): Promise<string[]> {
  const columns = await queryRows(
    db,
    `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
     WHERE table_schema = 'public' AND table_name <> '_holdfast_migrations'`,
  );
  const indexes = await queryRows(db, "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_holdfast_migrations'");
  const constraints = await queryRows(
    db,
    `SELECT c.conrelid::regclass::text AS tbl, c.conname, pg_get_constraintdef(c.oid) AS def
     FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
     WHERE n.nspname = 'public' AND c.conrelid::regclass::text <> '_holdfast_migrations'`,
  );
  return [
    ...columns.map(
      (c) =>
        `column ${String(c.table_name)}.${String(c.column_name)} ${String(c.data_type)} nullable=${String(c.is_nullable)} default=${String(c.column_default)}`,
    ),
    ...indexes.map((i) => `index ${String(i.indexdef)}`),
    ...constraints.map((c) => `constraint ${String(c.tbl)}.${String(c.conname)} ${String(c.def)}`),
  ];
}

/** A client over the same connection that lists every Prisma operation it sends, in order. */
export function countingOperations(db: Db): { db: Db; operations: string[] } {
  const operations: string[] = [];
  const counted = db.$extends({
    query: {
      async $allOperations({ operation, args, query }) {
        operations.push(operation);
        return query(args);
      },
    },
  }) as unknown as Db;
  return { db: counted, operations };
}
