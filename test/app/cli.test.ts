import { execFile } from "node:child_process";

import { afterAll, beforeAll, expect, it } from "vitest";

import { migrateDatabase } from "../../app/db/migrate.server.ts";
import { freshDatabase, ROOT, type TestDatabase } from "../db/databases.ts";
import { testRedisEnv } from "../support/redis.ts";

let database: TestDatabase;
beforeAll(async () => {
  database = await freshDatabase("sqlite");
  await migrateDatabase(database.url, () => undefined);
});
afterAll(() => database?.drop());

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run holdfast -- <args>`, minus npm. */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "app/cli.ts", ...args],
      { cwd: ROOT, env: { ...process.env, ...testRedisEnv(), DATABASE_URL: database.url, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

interface SaleOutput {
  id: string;
  state: string;
  items: { id: string; title: string; allocation: number; available: number | null; held: number | null; sold: number | null }[];
  admission: { mode: string; perMinute: number | null };
}

async function json(args: string[]): Promise<SaleOutput> {
  const run = await cli([...args, "--json"]);
  expect(run, run.stderr).toMatchObject({ code: 0, stderr: "" });
  return JSON.parse(run.stdout) as SaleOutput;
}

it("creates, starts, adjusts, shows and ends a sale", async () => {
  const created = await json([
    "sale",
    "create",
    "--name",
    "Drop",
    "--item",
    "Sneaker:100",
    "--item",
    "Cap:50",
    "--mode",
    "rate",
    "--per-minute",
    "600",
    "--limit",
    "2",
  ]);
  expect(created).toMatchObject({ state: "draft", admission: { mode: "rate", perMinute: 600 } });
  expect(created.items.map((item) => [item.title, item.allocation])).toEqual([
    ["Sneaker", 100],
    ["Cap", 50],
  ]);
  try {
    expect((await json(["sale", "start", created.id])).state).toBe("live");
    const sneaker = created.items[0]?.id ?? "";
    await json(["sale", "update", created.id, "--allocation", `${sneaker}=120`, "--item", "Hat:5"]);
    const shown = await json(["sale", "get", created.id]);
    expect(shown.state).toBe("live");
    expect(shown.items.map((item) => [item.title, item.allocation, item.available, item.held, item.sold])).toEqual([
      ["Sneaker", 120, 120, 0, 0],
      ["Cap", 50, 50, 0, 0],
      ["Hat", 5, 5, 0, 0],
    ]);
    const human = await cli(["sale", "get", created.id]);
    expect(human.stdout).toMatch(new RegExp(`sale ${created.id} "Drop": live`));
    const list = await cli(["sale", "list"]);
    expect(list.stdout).toMatch(new RegExp(`^${created.id}\\s+live`, "m"));
  } finally {
    // Ending also takes the room out of the shared registry the CLI uses.
    expect((await json(["sale", "end", created.id])).state).toBe("ended");
  }
  const again = await cli(["sale", "start", created.id]);
  expect(again).toMatchObject({ code: 1, stdout: "" });
  expect(again.stderr).toBe("holdfast: Cannot start a sale that is ended: start works on a draft, scheduled or pre-queue sale; a paused sale is resumed.\n");
}, 120_000);

it("answers usage errors with exit 2 and input errors with exit 1, one clear line each", async () => {
  const [none, missingId, badItem, badTime, unknown, badLimit, notFound, help] = await Promise.all([
    cli([]),
    cli(["sale", "get"]),
    cli(["sale", "create", "--name", "x", "--item", "Sneaker"]),
    cli(["sale", "create", "--name", "x", "--item", "a:1", "--starts-at", "tomorrow"]),
    cli(["sale", "list", "--colour", "red"]),
    cli(["sale", "create", "--name", "x", "--item", "a:1", "--hold-minutes", "500"]),
    cli(["sale", "get", "nope123456"]),
    cli(["--help"]),
  ]);
  for (const run of [none, missingId, badItem, badTime, unknown]) {
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/^holdfast: .+\nRun `npm run holdfast -- --help` for usage\.\n$/);
  }
  expect(badItem.stderr).toMatch(/--item "Sneaker" is not "<title>:<allocation>"/);
  expect(badTime.stderr).toMatch(/schedule\.startsAt: must be an ISO 8601 date-time with an offset/);
  expect(badLimit).toMatchObject({ code: 1, stderr: "holdfast: --hold-minutes must be an integer from 1 to 120.\n" });
  expect(notFound).toMatchObject({ code: 1, stderr: 'holdfast: There is no sale "nope123456". Run `npm run holdfast -- sale list` to see the sales.\n' });
  expect(help).toMatchObject({ code: 0, stderr: "" });
  expect(help.stdout).toMatch(/^Usage: npm run holdfast -- sale <command>/);
  const { sales } = JSON.parse((await cli(["sale", "list", "--json"])).stdout) as { sales: { name: string }[] };
  expect(sales.filter((sale) => sale.name === "x")).toEqual([]);
}, 120_000);

it("says where Redis was expected when none answers", async () => {
  const run = await cli(["sale", "list"], { REDIS_URL: "redis://127.0.0.1:1", REDIS_CLUSTER_NODES: "" });
  expect(run).toMatchObject({
    code: 1,
    stderr: "holdfast: no Redis answers at redis://127.0.0.1:1: start redis-server, or set REDIS_URL to the one npm start uses\n",
  });
}, 60_000);
