import pg from "pg";

import { cpuSecondsOfCommand } from "../lib/cpu.ts";
import { PROBE_ALLOCATION, type BenchContext, type InProcessSystem, type ProbeState } from "./types.ts";

const DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/postgres";
const THROUGHPUT_STOCK = 1_000_000_000;
const HOT_ID = 1;
const PROBE_ID = 2;

/** Deadlock, serialization failure, lock not available: per-request failures, not a broken system. */
const TRANSIENT_CODES = new Set(["40001", "40P01", "55P03"]);

/** System 3: one stock row, a conditional UPDATE under its row lock, through a pg Pool. */
export function postgresSystem(context: BenchContext): InProcessSystem {
  const adminUrl = process.env.BENCH_PG_URL?.trim() || DEFAULT_URL;
  const database = `holdfast_bench_${context.runId}`;
  let pool: pg.Pool | null = null;

  const take = async (id: number): Promise<boolean> => {
    // A named query is prepared once per connection, as an ORM would do.
    const result = await pool!.query({ name: "take_stock", text: "UPDATE stock SET qty = qty - $1 WHERE id = $2 AND qty >= $1", values: [1, id] });
    return result.rowCount === 1;
  };

  return {
    kind: "in-process",
    name: "postgres-row-lock",
    description: `PostgreSQL: UPDATE stock SET qty = qty - $1 WHERE id = $2 AND qty >= $1 (autocommit, prepared) on one row, pg.Pool of ${context.poolSize}`,
    async setup() {
      const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
      // Errors of idle connections (e.g. the forced drop at the end) must not crash the run.
      admin.on("error", () => undefined);
      await admin.connect();
      context.cleanup.add("close PostgreSQL admin connection", () => admin.end());
      await admin.query(`CREATE DATABASE ${database}`);
      context.cleanup.add(`drop PostgreSQL database ${database}`, () => admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
      const settings = await admin.query<{ name: string; setting: string }>(
        "SELECT name, setting FROM pg_settings WHERE name IN ('max_connections', 'synchronous_commit', 'fsync', 'shared_buffers', 'wal_level', 'commit_delay')",
      );
      const version = await admin.query<{ server_version: string }>("SHOW server_version");

      const url = new URL(adminUrl);
      url.pathname = `/${database}`;
      const created = new pg.Pool({
        connectionString: url.toString(),
        max: context.poolSize,
        connectionTimeoutMillis: 10_000,
        statement_timeout: 15_000,
      });
      created.on("error", () => undefined);
      pool = created;
      context.cleanup.add("close PostgreSQL pool", () => created.end());
      await created.query("CREATE TABLE stock (id integer PRIMARY KEY, qty integer NOT NULL)");
      await created.query("INSERT INTO stock (id, qty) VALUES ($1, $2), ($3, $4)", [HOT_ID, THROUGHPUT_STOCK, PROBE_ID, PROBE_ALLOCATION]);
      return {
        database,
        serverVersion: version.rows[0]?.server_version,
        settings: Object.fromEntries(settings.rows.map((row) => [row.name, row.setting])),
        poolSize: context.poolSize,
        poolSizeReason:
          "max_connections is 100 and other clients share the server; 64 leaves room for them while the 200 workers queue in the pool (queueing time is part of the latency)",
        throughputStock: THROUGHPUT_STOCK,
      };
    },
    throughputOp: () => take(HOT_ID),
    probeOp: () => take(PROBE_ID),
    async readProbeState(successes): Promise<ProbeState> {
      const result = await pool!.query<{ qty: number }>("SELECT qty FROM stock WHERE id = $1", [PROBE_ID]);
      const final = Number(result.rows[0]?.qty);
      return { finalCounter: final, consistent: final >= 0 && final === PROBE_ALLOCATION - successes, detail: { final } };
    },
    isTransient: (error) => TRANSIENT_CODES.has(String((error as { code?: unknown }).code)),
    serverCpuSeconds: async () => cpuSecondsOfCommand(/^postgres$/),
  };
}
