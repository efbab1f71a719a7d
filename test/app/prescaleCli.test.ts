// Issue #16 item 3: the pre-scale step is derived from the drop's schedule, as the admin set it.
import { randomBytes } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { migrateDatabase } from "../../app/db/migrate.server.ts";
import { freshDatabase, type TestDatabase } from "../db/databases.ts";
import { runCli, type CliRun } from "../support/cli.ts";
import { testRedisEnv } from "../support/redis.ts";

let database: TestDatabase;
beforeAll(async () => {
  database = await freshDatabase("sqlite");
  await migrateDatabase(database.url, () => undefined);
}, 60_000);
afterAll(() => database?.drop());

const cli = (args: string[]): Promise<CliRun> =>
  runCli(args, { ...testRedisEnv(), DATABASE_URL: database.url, HOLDFAST_QUEUE_NAMESPACE: `hf-prescale-${randomBytes(4).toString("hex")}` });

async function createSale(schedule: string[]): Promise<string> {
  const created = await cli(["sale", "create", "--name", "Prescaled drop", "--item", "Sneaker:100", ...schedule, "--json"]);
  expect(created, created.stderr).toMatchObject({ code: 0 });
  return (JSON.parse(created.stdout) as { id: string }).id;
}

const raise = (replicas: number) => `kubectl -n holdfast patch hpa holdfast-web --type merge -p '{"spec":{"minReplicas":${replicas}}}'`;

describe("npm run holdfast -- prescale", () => {
  it("raises the floor 30 minutes before the pre-queue opens and lowers it at the end", async () => {
    const saleId = await createSale(["--prequeue-at", "2030-06-01T17:45:00Z", "--starts-at", "2030-06-01T18:00:00Z", "--ends-at", "2030-06-01T20:00:00Z"]);
    const run = await cli(["prescale", saleId, "--replicas", "12"]);
    expect(run, run.stderr).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout.trim().split("\n")).toEqual([
      `sale ${saleId} "Prescaled drop": HorizontalPodAutoscaler holdfast-web minReplicas 12 from 2030-06-01T17:15:00.000Z until 2030-06-01T20:00:00.000Z`,
      "at 2030-06-01T17:15:00.000Z:",
      `  ${raise(12)}`,
      "at 2030-06-01T20:00:00.000Z:",
      `  ${raise(3)}`,
    ]);
  });

  it("without a pre-queue counts from the start; --json gives the window in milliseconds", async () => {
    const saleId = await createSale(["--starts-at", "2030-06-02T09:00:00+02:00"]);
    const run = await cli(["prescale", saleId, "--json"]);
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(JSON.parse(run.stdout)).toEqual({
      saleId,
      name: "Prescaled drop",
      hpa: "holdfast-web",
      replicas: 10,
      restingReplicas: 3,
      from: Date.parse("2030-06-02T06:30:00Z"),
      until: null,
    });
  });

  it("refuses an unknown sale, a sale with no start time and bad options, and says why", async () => {
    const unknown = await cli(["prescale", "no-such-sale"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no-such-sale.*Run `npm run holdfast -- sale list` to see the sales\./s);
    expect(unknown.stdout).toBe("");

    const draft = await createSale([]);
    const unscheduled = await cli(["prescale", draft]);
    expect(unscheduled).toMatchObject({ code: 1, stdout: "" });
    expect(unscheduled.stderr).toContain(`sale ${draft} has no start time, so there is no window to pre-scale for`);

    for (const args of [["prescale"], ["prescale", draft, "--replicas", "0"], ["prescale", draft, "--replicas", "many"], ["prescale", draft, "--repair"]]) {
      const refused = await cli(args);
      expect(refused.code, args.join(" ")).toBe(2);
      expect(refused.stderr, args.join(" ")).toMatch(/^holdfast: .+\nRun `npm run holdfast -- --help` for usage\.\n$/);
    }
  });
});
