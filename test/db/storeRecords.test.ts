// Several processes (web processes, a worker) may share one SQLite file. StoreRecords.ensure runs
// on a web process's first request for a store's signing keys, so two processes can run it at
// once; it must wait for the other's write instead of failing that request.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

import { expect, it } from "vitest";

import { StoreRecords } from "../../app/db/StoreRecords.ts";
import { ROOT } from "./databases.ts";
import { migratedDatabaseForSuite } from "./suiteDatabase.ts";

// Another process's write transaction: it takes SQLite's write lock, says so, and commits HOLD_MS
// later. That hold only has to stay under SQLite's busy timeout (5 s, better-sqlite3's default);
// without the fix the request fails at once, however long the hold.
const LOCK_HOLDER = `
import Database from "better-sqlite3";
const db = new Database(process.env.DB_PATH);
db.exec("BEGIN IMMEDIATE");
db.prepare("UPDATE Store SET name = name").run();
process.stdout.write("locked\\n");
setTimeout(() => { db.exec("COMMIT"); db.close(); }, Number(process.env.HOLD_MS));
`;

const suite = migratedDatabaseForSuite("sqlite");

it("ensure waits for another process's write instead of failing: an upsert there would read, then deadlock on its write", async () => {
  const { database, db } = suite;
  await db.store.count(); // the connection is open before the other process locks the file
  const holder = spawn(process.execPath, ["--input-type=module", "-e", LOCK_HOLDER], {
    cwd: ROOT,
    env: { ...process.env, DB_PATH: database.url.replace(/^file:/, ""), HOLD_MS: "500" },
  });
  let stderr = "";
  holder.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => holder.once("exit", resolve));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: holder.stdout }).on("line", (line) => (line === "locked" ? resolve() : undefined));
    void exited.then((code) => reject(new Error(`the lock holder exited (${code}) before it locked:\n${stderr}`)));
  });

  const id = await new StoreRecords(db).ensure("custom", "standalone", "Standalone");

  expect(await exited, stderr).toBe(0);
  expect(await db.store.findMany({ where: { platform: "custom", domain: "standalone" }, select: { id: true } })).toEqual([{ id }]);
  // A second call finds the same row.
  expect(await new StoreRecords(db).ensure("custom", "standalone")).toBe(id);
});
