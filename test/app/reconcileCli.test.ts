// `npm run holdfast -- reconcile <saleId> [--repair] [--json]`, run in this process (the CLI's
// main) against a harness's database and Redis and the WooCommerce stand-in.
import { afterAll, beforeAll, expect, it } from "vitest";

import type { Reconciliation } from "../../app/core/sync/index.ts";
import { SyncHarness } from "../core/sync/harness.ts";
import { runCli, type CliRun } from "../support/cli.ts";
import { testRedisEnv } from "../support/redis.ts";

let h: SyncHarness;
beforeAll(async () => {
  h = await SyncHarness.create("reccli");
});
afterAll(() => h?.close());

function cli(args: string[]): Promise<CliRun> {
  return runCli(args, { ...testRedisEnv(), DATABASE_URL: h.database.url, HOLDFAST_ENCRYPTION_KEY: h.masterKey.toString("base64") });
}

it("prints a table per item, finds platform drift (exit 3), and --repair fixes it", async () => {
  const sale = await h.createSale("woocommerce", 2, 12);
  await h.writeBack.flushSale(sale.saleId);
  const [a, b] = sale.items;

  const clean = await cli(["reconcile", sale.saleId]);
  expect(clean, clean.stderr).toMatchObject({ code: 0, stderr: "" });
  expect(clean.stdout).toContain("redis a/av/h/s");
  expect(clean.stdout).toMatch(new RegExp(`${a!.itemId}\\s+12/12/0/0\\s+12/12/0/0\\s+0\\s+12\\s+ok`));
  expect(clean.stdout).toContain("no drift");

  // The merchant's WooCommerce shows 3 for a, and nobody told Holdfast.
  await (await h.platforms.forStore(sale.storeId)).writeStock([{ ref: a!.ref, available: 3 }], "outside");
  const drifted = await cli(["reconcile", sale.saleId]);
  expect(drifted.code).toBe(3);
  expect(drifted.stdout).toContain(`${a!.itemId}: platform: the platform shows 3 available; Holdfast has 12`);
  expect(h.woo.stockOf(a!.ref)).toBe(3);

  const repaired = await cli(["reconcile", sale.saleId, "--repair"]);
  expect(repaired, repaired.stderr).toMatchObject({ code: 0 });
  expect(repaired.stdout).toContain("repair: wrote Holdfast's count for 1 item(s) in 1 platform call(s)");
  expect(h.woo.stockOf(a!.ref)).toBe(12);
  expect(h.woo.stockOf(b!.ref)).toBe(12);

  const json = await cli(["reconcile", sale.saleId, "--json"]);
  expect(json.code).toBe(0);
  const report = JSON.parse(json.stdout) as Reconciliation;
  expect(report).toMatchObject({ saleId: sale.saleId, storeId: sale.storeId, driftCount: 0 });
  expect(report.items.map((item) => [item.itemId, item.platform])).toEqual([
    [a!.itemId, 12],
    [b!.itemId, 12],
  ]);
});

it("explains usage mistakes (exit 2) and unknown sales (exit 1)", async () => {
  expect(await cli(["reconcile"])).toMatchObject({ code: 2, stderr: expect.stringContaining("reconcile needs a sale id") });
  expect(await cli(["reconcile", "x", "--all"])).toMatchObject({ code: 2, stderr: expect.stringContaining("--all does not apply to reconcile") });
  expect(await cli(["reconcile", "bad id!"])).toMatchObject({ code: 2 });
  expect(await cli(["reconcile", "t-nosuchsale"])).toMatchObject({ code: 1, stderr: expect.stringContaining("has no stock in Redis") });
});
