// Several processes (web processes, a worker) may share one SQLite file. StoreRecords.ensure runs
// on a web process's first request for a store's signing keys, so two processes can run it at
// once; it must wait for the other's write instead of failing that request.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

import { expect, it } from "vitest";

import { StoreRecords } from "../../app/db/StoreRecords.ts";
import { ROOT } from "./databases.ts";
import { migratedDatabaseForSuite } from "./suiteDatabase.ts";

// Another process's write transaction: it takes SQLite's write lock, says so, and commits when
// told on stdin or, with HOLD_MS, that long after. A process waiting for the lock inside
// better-sqlite3 cannot tell it anything (the wait blocks its event loop), hence the timer; that
// hold only has to stay under SQLite's busy timeout (5 s, better-sqlite3's default).
const LOCK_HOLDER = `
import Database from "better-sqlite3";
const db = new Database(process.env.DB_PATH);
db.exec("BEGIN IMMEDIATE");
process.stdout.write("locked\\n");
const release = () => { db.exec("COMMIT"); db.close(); process.exit(0); };
process.stdin.once("data", release);
if (process.env.HOLD_MS) setTimeout(release, Number(process.env.HOLD_MS));
`;

const suite = migratedDatabaseForSuite("sqlite");

/** Another process holding SQLite's write lock: until `holdMs` after it locked, or until `release()`. */
async function lockFileElsewhere(holdMs?: number): Promise<{ release: () => void; released: Promise<number | null>; stderr: () => string }> {
  const holder = spawn(process.execPath, ["--input-type=module", "-e", LOCK_HOLDER], {
    cwd: ROOT,
    env: { ...process.env, DB_PATH: suite.database.url.replace(/^file:/, ""), HOLD_MS: holdMs === undefined ? "" : String(holdMs) },
  });
  let stderr = "";
  holder.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const released = new Promise<number | null>((resolve) => holder.once("exit", resolve));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: holder.stdout }).on("line", (line) => (line === "locked" ? resolve() : undefined));
    void released.then((code) => reject(new Error(`the lock holder exited (${code}) before it locked:\n${stderr}`)));
  });
  return { release: () => holder.stdin.write("release\n"), released, stderr: () => stderr };
}

it("ensure waits for another process's write instead of failing: an upsert there would read, then deadlock on its write", async () => {
  const { db } = suite;
  await db.store.count(); // the connection is open before the other process locks the file
  const lock = await lockFileElsewhere(500);

  const id = await new StoreRecords(db).ensure("custom", "standalone", "Standalone");

  expect(await lock.released, lock.stderr()).toBe(0);
  expect(await db.store.findMany({ where: { platform: "custom", domain: "standalone" }, select: { id: true } })).toEqual([{ id }]);
  // A second call finds the same row.
  expect(await new StoreRecords(db).ensure("custom", "standalone")).toBe(id);
});

// Why ensure is not an upsert, and what the README's Production section warns of: under the same
// lock, Prisma's upsert (BEGIN, a read, then a write) fails instead of waiting.
it("a Prisma upsert under another process's write lock fails with P1008 instead of waiting", async () => {
  const { db } = suite;
  await db.store.count();
  const lock = await lockFileElsewhere();

  const upsert = db.store.upsert({
    where: { platform_domain: { platform: "custom", domain: "upserted" } },
    create: { platform: "custom", domain: "upserted", name: "Upserted" },
    update: {},
  });

  await expect(upsert).rejects.toMatchObject({ code: "P1008" });
  lock.release();
  expect(await lock.released, lock.stderr()).toBe(0);
  expect(await db.store.count({ where: { domain: "upserted" } })).toBe(0);
});
