// app/db/migrate.server.ts against real databases: a fresh SQLite file and a fresh PostgreSQL
// database, each checked against what prisma/schema.prisma describes.
import { execFile } from "node:child_process";
import { cp, mkdtemp, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { migrateDatabase } from "../../app/db/migrate.server.ts";
import { KINDS, ROOT, describeSchema, execSql, freshDatabase, prismaCli, queryRows, type TestDatabase } from "./databases.ts";

const TIMEOUT = 60_000;
const MIGRATIONS_DIR = { sqlite: "prisma/migrations", postgresql: "prisma/postgres/migrations" } as const;
const SCHEMA_FILE = { sqlite: "prisma/schema.prisma", postgresql: "prisma/postgres/schema.prisma" } as const;
const BOOKKEEPING = {
  sqlite: "SELECT migration_name AS name FROM _prisma_migrations ORDER BY 1",
  postgresql: "SELECT name FROM _holdfast_migrations ORDER BY 1",
} as const;

const dropAfter: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(dropAfter.splice(0).map((db) => db.drop()));
});

async function fresh(kind: TestDatabase["kind"]): Promise<TestDatabase> {
  const db = await freshDatabase(kind);
  dropAfter.push(db);
  return db;
}

async function migrationNames(kind: TestDatabase["kind"]): Promise<string[]> {
  const entries = await readdir(path.join(ROOT, MIGRATIONS_DIR[kind]), { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

describe.each(KINDS)("migrateDatabase on %s", (kind) => {
  it(
    "applies every migration to a fresh database, and nothing the second time",
    async () => {
      const db = await fresh(kind);
      const expected = await migrationNames(kind);
      expect(expected.length).toBeGreaterThan(0);

      const lines: string[] = [];
      const first = await migrateDatabase(db.url, (line) => lines.push(line));
      expect(first).toEqual({ kind, applied: expected });
      expect(lines).toEqual([...expected.map((name) => `applied ${name}`), expect.stringMatching(/^applied \d+ migration/)]);

      const again: string[] = [];
      const second = await migrateDatabase(db.url, (line) => again.push(line));
      expect(second.applied).toEqual([]);
      expect(again).toEqual([expect.stringMatching(/^database is up to date/)]);
      expect((await queryRows(db, BOOKKEEPING[kind])).map((row) => row.name)).toEqual(expected);
    },
    TIMEOUT,
  );

  it(
    "builds exactly the schema that schema.prisma describes",
    async () => {
      const migrated = await fresh(kind);
      await migrateDatabase(migrated.url, () => {});

      // The reference: the whole schema created in one go, straight from the schema file.
      const reference = await fresh(kind);
      const sql = await prismaCli(["migrate", "diff", "--from-empty", "--to-schema-datamodel", SCHEMA_FILE[kind], "--script"]);
      await execSql(reference, sql);

      const described = await describeSchema(migrated);
      expect(described.some((line) => line.includes("LedgerEvent_saleId_streamId_part_key"))).toBe(true);
      expect(described).toEqual(await describeSchema(reference));
    },
    TIMEOUT,
  );
});

describe("migrateDatabase on postgresql, failure and concurrency", () => {
  it(
    "rolls back a failing migration and does not record it",
    async () => {
      const db = await fresh("postgresql");
      const dir = await mkdtemp(path.join(tmpdir(), "holdfast-migrations-"));
      try {
        await cp(path.join(ROOT, MIGRATIONS_DIR.postgresql), dir, { recursive: true });
        await mkdir(path.join(dir, "99999999999999_broken"));
        await writeFile(path.join(dir, "99999999999999_broken/migration.sql"), 'CREATE TABLE "ShouldVanish" (id int);\nSELECT 1 / 0;\n');

        await expect(migrateDatabase(db.url, () => {}, { postgresMigrationsDir: dir })).rejects.toThrow(
          /99999999999999_broken failed \(rolled back\): division by zero/,
        );
        const vanished = await queryRows(db, "SELECT to_regclass('public.\"ShouldVanish\"') AS t");
        expect(vanished).toEqual([{ t: null }]);
        const recorded = (await queryRows(db, BOOKKEEPING.postgresql)).map((row) => row.name);
        expect(recorded).toEqual(await migrationNames("postgresql"));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    TIMEOUT,
  );

  it(
    "applies each migration once when several processes migrate at the same time",
    async () => {
      const db = await fresh("postgresql");
      const runs = await Promise.all([1, 2, 3].map(() => migrateDatabase(db.url, () => {})));
      const appliedOverall = runs.flatMap((run) => run.applied).sort();
      expect(appliedOverall).toEqual(await migrationNames("postgresql"));
    },
    TIMEOUT,
  );
});

describe("npm run db:migrate (the CLI)", () => {
  const run = promisify(execFile);
  const tsx = path.join(ROOT, "node_modules/.bin/tsx");

  it(
    "prints one line per migration and a summary",
    async () => {
      const db = await fresh("sqlite");
      const { stdout } = await run(tsx, ["app/db/migrate.server.ts"], { cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url } });
      const names = await migrationNames("sqlite");
      expect(stdout.trim().split("\n")).toEqual([
        ...names.map((name) => `db:migrate: applied ${name}`),
        `db:migrate: applied ${names.length} migration(s) to sqlite ${db.url}`,
      ]);
    },
    TIMEOUT,
  );

  it(
    "fails with one line that names the target but not the password",
    async () => {
      // Port 1 on localhost refuses at once; the password must not leak into the message.
      const url = "postgresql://holdfast:pa55-w0rd-leak@127.0.0.1:1/holdfast";
      const failure = await run(tsx, ["app/db/migrate.server.ts"], { cwd: ROOT, env: { ...process.env, DATABASE_URL: url } }).then(
        () => undefined,
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      expect(failure?.code).toBe(1);
      expect(failure?.stdout).toBe("");
      const stderr = failure?.stderr.trim() ?? "";
      expect(stderr.split("\n")).toHaveLength(1);
      expect(stderr).toMatch(/^db:migrate failed for postgresql:\/\/holdfast:\*\*\*@127\.0\.0\.1:1\/holdfast: .*ECONNREFUSED/);
      expect(stderr).not.toContain("pa55-w0rd-leak");
    },
    TIMEOUT,
  );
});
