// app/db.server.ts (URL rules, the process-wide client) and the schema files' freshness.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { closeDb, databaseKindOf, getDb, redactUrl, resolveDatabaseUrl } from "../../app/db/client.server.ts";
import { migrateDatabase } from "../../app/db/migrate.server.ts";
import { KINDS, ROOT, freshDatabase, type TestDatabase } from "./databases.ts";

describe("database URLs", () => {
  it("defaults to prisma/dev.db in the repository, whatever the current directory", () => {
    // "" counts as unset (an empty DATABASE_URL= line in .env).
    const expected = `file:${path.join(ROOT, "prisma/dev.db")}`;
    const cwd = process.cwd();
    process.chdir("/tmp");
    try {
      expect(resolveDatabaseUrl("")).toBe(expected);
      expect(resolveDatabaseUrl("file:dev.db")).toBe(expected);
      expect(resolveDatabaseUrl("file:./other.db")).toBe(`file:${path.join(ROOT, "prisma/other.db")}`);
    } finally {
      process.chdir(cwd);
    }
  });

  it("leaves absolute SQLite paths, in-memory SQLite and PostgreSQL URLs alone", () => {
    expect(resolveDatabaseUrl("file:/var/lib/holdfast.db")).toBe("file:/var/lib/holdfast.db");
    expect(resolveDatabaseUrl("file::memory:")).toBe("file::memory:");
    expect(resolveDatabaseUrl("postgres://u:p@db:5432/holdfast")).toBe("postgres://u:p@db:5432/holdfast");
  });

  it("tells the kinds apart and rejects other databases without echoing the password", () => {
    expect(databaseKindOf("file:./dev.db")).toBe("sqlite");
    expect(databaseKindOf("postgres://db/holdfast")).toBe("postgresql");
    expect(databaseKindOf("postgresql://db/holdfast")).toBe("postgresql");
    expect(() => databaseKindOf("mysql://root:hunter2@db/holdfast")).toThrow(/mysql:\/\/root:\*\*\*@db\/holdfast/);
    expect(() => databaseKindOf("mysql://root:hunter2@db/holdfast")).not.toThrow(/hunter2/);
  });

  it("redacts only the password", () => {
    expect(redactUrl("postgresql://app:s3cr%40t@db:5432/holdfast?sslmode=require")).toBe("postgresql://app:***@db:5432/holdfast?sslmode=require");
    expect(redactUrl("postgresql://app@db/holdfast")).toBe("postgresql://app@db/holdfast");
    expect(redactUrl("not a url hunter2")).not.toContain("hunter2");
  });
});

describe.each(KINDS)("getDb on %s", (kind) => {
  let database: TestDatabase | undefined;
  const saved = process.env.DATABASE_URL;

  afterEach(async () => {
    await closeDb();
    process.env.DATABASE_URL = saved;
    await database?.drop();
  });

  it("returns one client per process for DATABASE_URL, and a new one after closeDb", async () => {
    database = await freshDatabase(kind);
    await migrateDatabase(database.url, () => {});
    process.env.DATABASE_URL = database.url;

    const db = getDb();
    expect(getDb()).toBe(db);
    await db.sale.create({ data: { id: "g1", name: "Drop", state: "draft", holdMinutes: 5, perCustomerLimit: 0 } });

    await closeDb();
    const reopened = getDb();
    expect(reopened).not.toBe(db);
    expect(await reopened.sale.count()).toBe(1);

    process.env.DATABASE_URL = "file:/tmp/holdfast-some-other.db";
    expect(() => getDb()).toThrow(/DATABASE_URL changed/);
  });
});

describe("schema files", () => {
  it("keep the PostgreSQL schema and both migration histories in step with prisma/schema.prisma", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["scripts/generate-postgres-schema.mjs", "--check"], {
      cwd: ROOT,
    });
    expect(stdout).toContain("up to date");
  }, 60_000);
});
