import { execFile } from "node:child_process";

import { afterAll, beforeAll, expect, it } from "vitest";

import { orderEventJobId } from "../../app/core/orders/index.ts";
import type { ListedDeadLetter } from "../../app/core/queues/index.ts";
import { ROOT } from "../db/databases.ts";
import { OrdersHarness } from "../core/orders/harness.ts";
import { runCli, type CliRun } from "../support/cli.ts";
import { testRedisEnv } from "../support/redis.ts";

let h: OrdersHarness;
beforeAll(async () => {
  h = await OrdersHarness.create("dlq-cli");
});
afterAll(() => h?.close());

/** `npm run holdfast -- <args>` in this process (the CLI's main), on this harness's queues. */
function cli(args: string[]): Promise<CliRun> {
  return runCli(args, { ...testRedisEnv(), DATABASE_URL: h.database.url, HOLDFAST_QUEUE_NAMESPACE: h.namespace });
}

/** The real thing once: `npm run holdfast -- <args>`, minus npm, as a process. */
function cliProcess(args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "app/cli.ts", ...args],
      { cwd: ROOT, env: { ...process.env, ...testRedisEnv(), DATABASE_URL: h.database.url, HOLDFAST_QUEUE_NAMESPACE: h.namespace } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

it("dlq list shows the dead letters; dlq replay puts them back on their queue", async () => {
  expect((await cli(["dlq", "list"])).stdout).toBe("the dead-letter queue is empty\n");

  const sale = await h.createSale("dlq-cli");
  const bad = await h.intake.enqueue({ ...h.event(sale, { platformOrderRef: "#77" }), eventId: "evt-bad", lines: [{ itemId: "sku", quantity: -1 }] });
  expect(bad.outcome).toBe("rejected");
  const other = await h.intake.enqueue({ eventId: "evt-worse", kind: "refunded" });
  expect(other.outcome).toBe("rejected");

  const list = await cliProcess(["dlq", "list"]);
  expect(list, list.stderr).toMatchObject({ code: 0, stderr: "" });
  const [header, ...rows] = list.stdout.trimEnd().split("\n");
  expect(header).toMatch(/^id\s+queue\s+event\s+failed at\s+error$/);
  expect(rows).toHaveLength(2);
  expect(list.stdout).toMatch(
    /dl-order-events\.ev-evt-bad\s+order-events\s+created #77 \(event evt-bad, sale t-dlq-cli-\w+\)\s+\d{4}-\d\d-\d\dT[\d:.]+Z\s+invalid_event: invalid order event: quantity must be an integer from 1 to 10000 \(0 attempt\(s\), job missing\)/,
  );

  const json = JSON.parse((await cli(["dlq", "list", "--json"])).stdout) as { deadLetters: ListedDeadLetter[] };
  expect(json.deadLetters.map((letter) => letter.id).sort()).toEqual(["dl-order-events.ev-evt-bad", "dl-order-events.ev-evt-worse"]);

  const one = await cli(["dlq", "replay", "dl-order-events.ev-evt-bad"]);
  expect(one).toMatchObject({ code: 0, stdout: "dl-order-events.ev-evt-bad: replayed onto order-events as job ev-evt-bad\n" });
  // No worker runs here: the event waits on its queue under its original job id.
  expect(await h.orderQueue.getJobState(orderEventJobId("evt-bad"))).toBe("waiting");

  const missing = await cli(["dlq", "replay", "dl-order-events.ev-evt-bad"]);
  expect(missing).toMatchObject({ code: 1 });
  expect(missing.stdout).toMatch(/no such dead letter/);

  const all = await cli(["dlq", "replay", "--all", "--json"]);
  expect(JSON.parse(all.stdout)).toEqual({
    replays: [{ id: "dl-order-events.ev-evt-worse", outcome: "replayed", queue: "order-events", jobId: "ev-evt-worse" }],
  });
  expect((await cli(["dlq", "list"])).stdout).toBe("the dead-letter queue is empty\n");
}, 60_000);

it("refuses dlq usage errors with exit 2", async () => {
  const runs = [];
  for (const args of [
    ["dlq", "replay"],
    ["dlq", "replay", "x", "--all"],
    ["dlq", "list", "--all"],
    ["dlq", "purge"],
    ["sale", "list", "--all"],
  ])
    runs.push(await cli(args));
  for (const run of runs) {
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/^holdfast: .+\nRun `npm run holdfast -- --help` for usage\.\n$/);
  }
  expect(runs[0]?.stderr).toMatch(/dlq replay needs a dead letter id or --all/);
  const help = await cli(["--help"]);
  expect(help.stdout).toMatch(/^Usage: npm run holdfast -- sale <command>/);
  expect(help.stdout).toMatch(/dlq replay <id>/);
}, 60_000);
