import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";

import { createDb, type DatabaseKind, type Db } from "../../app/db/client.server.ts";
import { migrateDatabase } from "../../app/db/migrate.server.ts";
import type { Cleanup } from "./cleanup.ts";

/** The PostgreSQL server benchmarks make their throwaway databases on (the same variable bench:holds reads). */
export const BENCH_POSTGRES_URL = process.env.BENCH_PG_URL?.trim() || "postgres://postgres@127.0.0.1:5432/postgres";

/**
 * A migrated, empty Holdfast database of the given kind for one run: a temporary SQLite file,
 * or a database of its own on BENCH_PG_URL's server. Removing it is registered on `cleanup`.
 */
export async function openBenchDatabase(kind: DatabaseKind, runId: string, cleanup: Cleanup): Promise<Db> {
  let url: string;
  if (kind === "sqlite") {
    const directory = await mkdtemp(path.join(tmpdir(), "holdfast-bench-db-"));
    cleanup.add("remove the temporary SQLite database", () => rm(directory, { recursive: true, force: true }));
    url = `file:${path.join(directory, "bench.db")}`;
  } else {
    const name = `holdfast_bench_${runId}`;
    const admin = new pg.Client({ connectionString: BENCH_POSTGRES_URL, connectionTimeoutMillis: 10_000 });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${name}"`);
    } finally {
      await admin.end();
    }
    cleanup.add(`drop PostgreSQL database ${name}`, async () => {
      const dropper = new pg.Client({ connectionString: BENCH_POSTGRES_URL, connectionTimeoutMillis: 10_000 });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    });
    const address = new URL(BENCH_POSTGRES_URL);
    address.pathname = `/${name}`;
    url = address.toString();
  }
  await migrateDatabase(url, () => undefined);
  const db = createDb(url);
  cleanup.add(`disconnect from the ${kind} database`, () => db.$disconnect());
  return db;
}
