/**
 * `npm run holdfast -- <command>`: sales administration from a shell, over the same
 * SaleService and the same input rules as the admin API, and the dead-letter queue of the
 * background jobs. Run with --help for the commands.
 */
import "dotenv/config";

import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import type { z } from "zod";

import { saleJson, saleSummaryJson } from "./api/admin/present.ts";
import { createSaleSchema, patchSaleSchema } from "./api/admin/schemas.ts";
import { buildCore, type Core } from "./composition/core.server.ts";
import { DEFAULT_PRESCALE_REPLICAS, describePrescale, prescalePlan, UnscheduledSaleError } from "./composition/prescale.ts";
import { buildRecovery } from "./composition/recovery.server.ts";
import { buildSync } from "./composition/sync.server.ts";
import { InvalidInputError } from "./core/errors/InvalidInputError.ts";
import { silentLogger } from "./core/logger.ts";
import type { SaleRecoveryResult } from "./core/recovery/index.ts";
import { DeadLetterQueue, type ListedDeadLetter, type ReplayResult } from "./core/queues/index.ts";
import { describeRedis, redisConfigFromEnv } from "./core/redis.ts";
import { SaleConflictError, SaleNotFoundError, type SaleService, type Sale, type SaleDetails } from "./core/sales/index.ts";
import { describeReconciliation, UnknownSaleStockError } from "./core/sync/index.ts";
import { redactUrl, resolveDatabaseUrl } from "./db/client.server.ts";
import { migrateDatabase } from "./db/migrate.server.ts";
import { paymentProviderFromEnv } from "./platforms/payments/index.ts";
import { SqlPlatformDirectory } from "./stores/directory.server.ts";

const USAGE = `Usage: npm run holdfast -- sale <command> [options]
       npm run holdfast -- dlq list|replay [<id> | --all]
       npm run holdfast -- reconcile <saleId> [--repair]
       npm run holdfast -- recover <saleId> | --all
       npm run holdfast -- prescale <saleId> [--replicas <n>]

Commands:
  sale create --name <name> --item "<title>:<allocation>[:<platformRef>]"... [settings]
  sale update <id> [settings] [--allocation <itemId>=<units>]... [--item "<title>:<allocation>"]...
  sale list
  sale get <id>
  sale start|pause|resume|end <id>
  dlq list               jobs that failed for good: id, queue, event, error, when
  dlq replay <id>        put a dead letter back on its queue (fresh attempts)
  dlq replay --all       replay every dead letter
  reconcile <id>         compare Redis counters, the ledger, SQL orders and platform stock per item
                         (exit code 3 when drift is found)
  reconcile <id> --repair  also write Holdfast's count to the platform where it differs
                         (exit code by the drift left after the repair)
  recover <id>           rebuild a running sale whose Redis state is missing (Redis restarted empty
                         or replaced) from SQL: stock = allocation - units sold by orders and the
                         persisted ledger; holds are lost; pending checkouts placed, re-queued or failed
  recover --all          every scheduled, pre-queue, live or paused sale whose Redis state is missing
                         (exit code 3 when something could not be recovered; 0 otherwise)
  prescale <id> [--replicas <n>]  the web autoscaler's floor for the drop (default ${DEFAULT_PRESCALE_REPLICAS} replicas) from
                         30 minutes before its doors open (pre-queue or start) until its end, as the two
                         kubectl commands to run at those times (deploy/README.md, "Pre-scaling a drop")

Settings (create and update):
  --starts-at <ISO>      start time with an offset, e.g. 2026-12-01T18:00:00Z (none: start when told)
  --prequeue-at <ISO>    when the pre-queue opens (needs a start time)
  --ends-at <ISO>        when the sale ends
  --hold-minutes <n>     how long a hold lasts (default 10)
  --limit <n>            units one customer may buy, 0 = no limit (default 0)
  --mode <mode>          admission: off | rate | capacity | rate+capacity (default off)
  --per-minute <n>       shoppers admitted per minute (rate modes)
  --max-active <n>       shoppers shopping at once (capacity modes)
  --pass-minutes <n>     how long an admission pass stays valid (default 10)
  --bypass <policy>      orders that skip the queue: allow | flag | cancel (default flag)
  On update, "none" clears a time, and --item adds an item.

Options:
  --json                 print JSON (the admin API's shape)
  -h, --help             show this help

DATABASE_URL and REDIS_URL (or REDIS_CLUSTER_NODES) choose the database and Redis, as for npm start;
HOLDFAST_QUEUE_NAMESPACE the queues (default hf), as for the worker; HOLDFAST_ENCRYPTION_KEY (or the
development key file) opens store credentials for reconcile.`;

const OPTIONS = {
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  name: { type: "string" },
  item: { type: "string", multiple: true },
  allocation: { type: "string", multiple: true },
  "starts-at": { type: "string" },
  "prequeue-at": { type: "string" },
  "ends-at": { type: "string" },
  "hold-minutes": { type: "string" },
  limit: { type: "string" },
  mode: { type: "string" },
  "per-minute": { type: "string" },
  "max-active": { type: "string" },
  "pass-minutes": { type: "string" },
  bypass: { type: "string" },
  all: { type: "boolean" },
  repair: { type: "boolean" },
  replicas: { type: "string" },
} as const;
type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>["values"];

const SETTINGS = ["name", "starts-at", "prequeue-at", "ends-at", "hold-minutes", "limit", "mode", "per-minute", "max-active", "pass-minutes", "bypass"];
const ALLOWED: Record<string, string[]> = {
  create: [...SETTINGS, "item"],
  update: [...SETTINGS, "item", "allocation"],
  list: [],
  get: [],
  start: [],
  pause: [],
  resume: [],
  end: [],
};

/** Wrong command-line syntax: exit code 2, and a pointer to --help. */
class UsageError extends Error {}

interface Command {
  action: string;
  saleId: string | null;
  values: Values;
}

interface DlqCommand {
  noun: "dlq";
  action: "list" | "replay";
  /** The dead letter to replay; null with --all. */
  id: string | null;
  json: boolean;
}

function parseDlqCommand(values: Values, positionals: string[]): DlqCommand {
  const [, action, id] = positionals;
  if (action !== "list" && action !== "replay") throw new UsageError(`unknown command "${positionals.join(" ")}"`);
  for (const option of Object.keys(values)) {
    if (option !== "json" && !(action === "replay" && option === "all")) throw new UsageError(`--${option} does not apply to dlq ${action}`);
  }
  if (action === "list") {
    if (positionals.length > 2) throw new UsageError(`unexpected argument "${positionals.at(-1)}" after dlq list`);
    return { noun: "dlq", action, id: null, json: values.json === true };
  }
  if ((id === undefined) === (values.all !== true)) throw new UsageError("dlq replay needs a dead letter id or --all (not both)");
  if (positionals.length > 3) throw new UsageError(`unexpected argument "${positionals.at(-1)}" after dlq replay`);
  return { noun: "dlq", action, id: id ?? null, json: values.json === true };
}

interface ReconcileCommand {
  noun: "reconcile";
  saleId: string;
  repair: boolean;
  json: boolean;
}

/** `<noun> <saleId>` taking --json and `options` only: the sale id, or a usage error. */
function saleIdOf(noun: string, values: Values, positionals: string[], options: string[]): string {
  for (const option of Object.keys(values)) {
    if (option !== "json" && !options.includes(option)) throw new UsageError(`--${option} does not apply to ${noun}`);
  }
  const [, saleId] = positionals;
  if (saleId === undefined) throw new UsageError(`${noun} needs a sale id`);
  if (positionals.length > 2) throw new UsageError(`unexpected argument "${positionals.at(-1)}" after ${noun} ${saleId}`);
  return saleId;
}

function parseReconcileCommand(values: Values, positionals: string[]): ReconcileCommand {
  const saleId = saleIdOf("reconcile", values, positionals, ["repair"]);
  return { noun: "reconcile", saleId, repair: values.repair === true, json: values.json === true };
}

interface RecoverCommand {
  noun: "recover";
  /** null with --all. */
  saleId: string | null;
  json: boolean;
}

function parseRecoverCommand(values: Values, positionals: string[]): RecoverCommand {
  const [, saleId] = positionals;
  for (const option of Object.keys(values)) {
    if (option !== "json" && option !== "all") throw new UsageError(`--${option} does not apply to recover`);
  }
  if ((saleId === undefined) === (values.all !== true)) throw new UsageError("recover needs a sale id or --all (not both)");
  if (positionals.length > 2) throw new UsageError(`unexpected argument "${positionals.at(-1)}" after recover ${saleId ?? ""}`);
  if (saleId !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(saleId)) throw new UsageError(`"${saleId}" is not a sale id`);
  return { noun: "recover", saleId: saleId ?? null, json: values.json === true };
}

interface PrescaleCommand {
  noun: "prescale";
  saleId: string;
  replicas: number;
  json: boolean;
}

function parsePrescaleCommand(values: Values, positionals: string[]): PrescaleCommand {
  const saleId = saleIdOf("prescale", values, positionals, ["replicas"]);
  const replicas = whole("replicas", values.replicas) ?? DEFAULT_PRESCALE_REPLICAS;
  if (replicas < 1 || replicas > 1_000) throw new UsageError(`--replicas must be between 1 and 1000 (got ${replicas})`);
  return { noun: "prescale", saleId, replicas, json: values.json === true };
}

type AnyCommand = Command | DlqCommand | ReconcileCommand | RecoverCommand | PrescaleCommand;

function parseCommand(argv: string[]): AnyCommand | "help" {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  if (values.help) return "help";
  if (positionals[0] === "dlq") return parseDlqCommand(values, positionals);
  if (positionals[0] === "reconcile") return parseReconcileCommand(values, positionals);
  if (positionals[0] === "recover") return parseRecoverCommand(values, positionals);
  if (positionals[0] === "prescale") return parsePrescaleCommand(values, positionals);
  const [noun, action, saleId] = positionals;
  if (noun !== "sale" || action === undefined || !(action in ALLOWED)) throw new UsageError(`unknown command "${positionals.join(" ")}"`);
  const needsId = action !== "create" && action !== "list";
  if (needsId && saleId === undefined) throw new UsageError(`sale ${action} needs a sale id`);
  if (positionals.length > (needsId ? 3 : 2)) throw new UsageError(`unexpected argument "${positionals.at(-1)}" after sale ${action}`);
  for (const option of Object.keys(values)) {
    if (option !== "json" && !ALLOWED[action]?.includes(option)) throw new UsageError(`--${option} does not apply to sale ${action}`);
  }
  if (action === "create" && (values.name === undefined || values.item === undefined)) throw new UsageError("sale create needs --name and at least one --item");
  return { action, saleId: saleId ?? null, values };
}

function whole(option: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^-?\d{1,15}$/.test(raw)) throw new UsageError(`--${option} must be a whole number (got "${raw}")`);
  return Number(raw);
}

/** "<title>:<allocation>[:<platformRef>]"; the title ends at the first ":<digits>". */
function parseItem(raw: string): { title: string; allocation: number; platformRef?: string } {
  const match = /^(.+?):(\d{1,15})(?::(.+))?$/.exec(raw);
  if (!match?.[1] || !match[2]) throw new UsageError(`--item "${raw}" is not "<title>:<allocation>", e.g. "Sneaker:100"`);
  return { title: match[1], allocation: Number(match[2]), ...(match[3] ? { platformRef: match[3] } : {}) };
}

const time = (raw: string | undefined) => (raw === "none" ? null : raw);

/** Runs the API's schema, so a bad value reads the same as from the API; errors are usage errors. */
function validated<Schema extends z.ZodType>(schema: Schema, body: unknown): z.infer<Schema> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new UsageError(`${issue?.path.join(".") || "input"}: ${issue?.message ?? "invalid"}`);
}

function settingsOf(values: Values) {
  const schedule = { prequeueAt: time(values["prequeue-at"]), startsAt: time(values["starts-at"]), endsAt: time(values["ends-at"]) };
  return {
    name: values.name,
    schedule: Object.values(schedule).some((value) => value !== undefined) ? schedule : undefined,
    holdMinutes: whole("hold-minutes", values["hold-minutes"]),
    perCustomerLimit: whole("limit", values.limit),
    admission: {
      mode: values.mode,
      perMinute: whole("per-minute", values["per-minute"]),
      maxActive: whole("max-active", values["max-active"]),
      passMinutes: whole("pass-minutes", values["pass-minutes"]),
    },
    bypassPolicy: values.bypass,
  };
}

async function create(service: SaleService, values: Values): Promise<SaleDetails> {
  const settings = settingsOf(values);
  const body = validated(createSaleSchema, {
    ...settings,
    items: (values.item ?? []).map(parseItem),
    holdMinutes: settings.holdMinutes ?? 10,
    perCustomerLimit: settings.perCustomerLimit ?? 0,
    admission: { ...settings.admission, mode: settings.admission.mode ?? "off" },
  });
  return service.create(body);
}

async function update(service: SaleService, saleId: string, values: Values): Promise<SaleDetails> {
  const settings = settingsOf(values);
  let items: { id?: string; allocation?: number; title?: string; platformRef?: string }[] | undefined;
  if (values.allocation || values.item) {
    // The API takes the complete item list: keep every item, change the named allocations.
    const targets = new Map(
      (values.allocation ?? []).map((raw) => {
        const match = /^([A-Za-z0-9_-]{1,64})=(\d{1,15})$/.exec(raw);
        if (!match?.[1] || !match[2]) throw new UsageError(`--allocation "${raw}" is not "<itemId>=<units>"`);
        return [match[1], Number(match[2])] as const;
      }),
    );
    const { sale } = await service.get(saleId);
    for (const itemId of targets.keys()) {
      if (!sale.items.some((item) => item.id === itemId)) throw new UsageError(`sale ${saleId} has no item ${itemId}`);
    }
    items = [...sale.items.map((item) => ({ id: item.id, allocation: targets.get(item.id) })), ...(values.item ?? []).map(parseItem)];
  }
  const admission = Object.values(settings.admission).some((value) => value !== undefined) ? settings.admission : undefined;
  return service.update(saleId, validated(patchSaleSchema, { ...settings, admission, items }));
}

async function run(service: SaleService, { action, saleId, values }: Command): Promise<SaleDetails | Sale[]> {
  const id = saleId ?? "";
  switch (action) {
    case "create":
      return create(service, values);
    case "update":
      return update(service, id, values);
    case "list":
      return service.list({ limit: 200 });
    case "get":
      return service.get(id);
    default:
      return service.transition(id, action as "start" | "pause" | "resume" | "end");
  }
}

// --- output -----------------------------------------------------------------------------------

const when = (iso: string | null) => iso ?? "-";

function describeSale(details: SaleDetails): string {
  const sale = saleJson(details);
  const { admission } = sale;
  const rate = [admission.perMinute !== null ? `${admission.perMinute}/min` : "", admission.maxActive !== null ? `max ${admission.maxActive} active` : ""];
  const lines = [
    `sale ${sale.id} "${sale.name}": ${sale.state}`,
    `  schedule   pre-queue ${when(sale.schedule.prequeueAt)}, starts ${when(sale.schedule.startsAt)}, ends ${when(sale.schedule.endsAt)}`,
    `  settings   hold ${sale.holdMinutes} min, limit ${sale.perCustomerLimit || "none"} per customer, admission ${admission.mode} ${rate.filter(Boolean).join(", ")} (pass ${admission.passMinutes} min), bypass orders: ${sale.bypassPolicy}`,
    `  items      ${"id".padEnd(12)}${"allocation".padStart(11)}${"available".padStart(11)}${"held".padStart(8)}${"sold".padStart(8)}  title`,
    ...sale.items.map(
      (item) =>
        `             ${item.id.padEnd(12)}${String(item.allocation).padStart(11)}${String(item.available ?? "-").padStart(11)}${String(item.held ?? "-").padStart(8)}${String(item.sold ?? "-").padStart(8)}  ${item.title}`,
    ),
  ];
  if (sale.room) lines.push(`  room       waiting ${sale.room.waiting}, admitted ${sale.room.admitted}${sale.room.soldOut ? ", sold out" : ""}`);
  else lines.push(`  room       not set up yet: start the sale (or give it a start time)`);
  return lines.join("\n");
}

function describeList(sales: Sale[]): string {
  if (sales.length === 0) return "no sales yet: create one with `npm run holdfast -- sale create --name <name> --item <title>:<units>`";
  return sales
    .map((sale) => {
      const json = saleSummaryJson(sale);
      return `${sale.id.padEnd(12)}${sale.state.padEnd(11)}starts ${when(json.schedule.startsAt).padEnd(26)}${sale.items.length} item(s)  ${sale.name}`;
    })
    .join("\n");
}

function print(result: SaleDetails | Sale[], json: boolean): void {
  if (Array.isArray(result)) {
    process.stdout.write(`${json ? JSON.stringify({ sales: result.map(saleSummaryJson) }, null, 2) : describeList(result)}\n`);
  } else {
    process.stdout.write(`${json ? JSON.stringify(saleJson(result), null, 2) : describeSale(result)}\n`);
  }
}

function describeDeadLetters(letters: ListedDeadLetter[]): string {
  if (letters.length === 0) return "the dead-letter queue is empty";
  const rows = letters.map((letter) => [
    letter.id,
    letter.queue,
    eventOf(letter.data),
    new Date(letter.failedAt).toISOString(),
    `${letter.error} (${letter.attemptsMade} attempt(s), job ${letter.jobState})`,
  ]);
  const header = ["id", "queue", "event", "failed at", "error"];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  return [header, ...rows].map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join("  ")).join("\n");
}

/** "created #1001 (event e-1)" for an order event; a short JSON for anything else. */
function eventOf(data: unknown): string {
  if (typeof data === "object" && data !== null) {
    const fields = data as Record<string, unknown>;
    if (typeof fields.kind === "string" && typeof fields.platformOrderRef === "string") {
      return `${fields.kind} ${fields.platformOrderRef} (event ${String(fields.eventId)}, sale ${String(fields.saleId)})`;
    }
  }
  const json = JSON.stringify(data) ?? "";
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

function describeReplays(results: ReplayResult[]): string {
  if (results.length === 0) return "nothing to replay: the dead-letter queue is empty";
  return results
    .map((result) => {
      if (result.outcome === "not_found") return `${result.id}: no such dead letter (see \`npm run holdfast -- dlq list\`)`;
      const where = `${result.queue ?? "?"}${result.jobId ? ` as job ${result.jobId}` : ""}`;
      return result.outcome === "replayed" ? `${result.id}: replayed onto ${where}` : `${result.id}: already queued on ${where}; dead letter removed`;
    })
    .join("\n");
}

async function runDlq(core: Core, command: DlqCommand): Promise<number> {
  const deadLetters = new DeadLetterQueue(core.queues);
  if (command.action === "list") {
    const letters = await deadLetters.list();
    process.stdout.write(`${command.json ? JSON.stringify({ deadLetters: letters }, null, 2) : describeDeadLetters(letters)}\n`);
    return 0;
  }
  const results = command.id === null ? await deadLetters.replayAll() : [await deadLetters.replay(command.id)];
  process.stdout.write(`${command.json ? JSON.stringify({ replays: results }, null, 2) : describeReplays(results)}\n`);
  return results.some((result) => result.outcome === "not_found") ? 1 : 0;
}

/** The reconciliation of one sale, with the store directory (and so the master key) for platform reads and repair. */
async function runReconcile(core: Core, command: ReconcileCommand): Promise<number> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(command.saleId)) throw new UsageError(`"${command.saleId}" is not a sale id`);
  const platforms = new SqlPlatformDirectory({ db: core.db, redis: core.redis, masterKey: core.masterKey.key });
  const { reconciler } = buildSync(core, platforms);
  const report = await reconciler.reconcile(command.saleId, { repair: command.repair });
  if (!command.repair) {
    process.stdout.write(`${command.json ? JSON.stringify(report, null, 2) : describeReconciliation(report)}\n`);
    return report.driftCount > 0 ? 3 : 0;
  }
  // The exit code says what is left: the sale is checked again after the repair.
  const after = await reconciler.reconcile(command.saleId);
  const left = after.items.flatMap((item) => item.drift.map((drift) => `${item.itemId}: ${drift.kind}: ${drift.message}`));
  const refused = report.repair?.flush.refused.length ?? 0;
  if (command.json) process.stdout.write(`${JSON.stringify({ ...report, after }, null, 2)}\n`);
  else {
    const summary =
      left.length === 0 ? "after repair: no drift left" : [`after repair: ${left.length} finding(s) left`, ...left.map((line) => `  ${line}`)].join("\n");
    process.stdout.write(`${describeReconciliation(report)}\n${summary}\n`);
  }
  return left.length > 0 || refused > 0 ? 3 : 0;
}

function describeRecovery(result: SaleRecoveryResult): string {
  const head = `sale ${result.saleId}${result.state ? ` (${result.state})` : ""}: `;
  switch (result.outcome) {
    case "not_found":
      return `${head}no such sale. Run \`npm run holdfast -- sale list\` to see the sales.`;
    case "not_needed":
      return `${head}nothing to recover (a ${result.state} sale keeps nothing in Redis)`;
    case "intact":
      return `${head}its Redis state is there; nothing to do`;
    case "recovered":
      break;
  }
  const lines = [
    `${head}rebuilt from SQL; ${result.holdsLost} hold(s) in flight (${result.unitsHeldLost} unit(s)) were lost: those shoppers must add again`,
    ...result.items.map(
      (item) =>
        `  ${item.itemId.padEnd(12)} allocated ${item.allocated}, sold ${item.sold}, available ${item.available}${item.beyondAllocation > 0 ? `, ${item.beyondAllocation} sold beyond the allocation (recorded as oversold)` : ""}`,
    ),
    ...result.orders.map((order) => `  order ${order.orderId}: ${order.action}${order.reason ? ` (${order.reason})` : ""}`),
    ...result.problems.map((problem) => `  problem: ${problem}`),
  ];
  return lines.join("\n");
}

/** Rebuilds the named sale (or every missing one); exit 3 when something could not be recovered. */
async function runRecover(core: Core, command: RecoverCommand): Promise<number> {
  const recovery = buildRecovery(core, paymentProviderFromEnv(core.env, core.redis));
  const results = command.saleId === null ? await recovery.recoverAll() : [await recovery.recover(command.saleId)];
  if (command.json) process.stdout.write(`${JSON.stringify({ recoveries: results }, null, 2)}\n`);
  else process.stdout.write(`${results.length === 0 ? "no running sale to check" : results.map(describeRecovery).join("\n")}\n`);
  return results.some((result) => result.outcome === "not_found" || result.problems.length > 0) ? 3 : 0;
}

/** Reads the sale's schedule only: prints the floor window, changes nothing. */
async function runPrescale(core: Core, command: PrescaleCommand): Promise<number> {
  const { sale } = await core.sales.get(command.saleId);
  const plan = prescalePlan(sale, command.replicas, Date.now());
  process.stdout.write(`${command.json ? JSON.stringify(plan, null, 2) : describePrescale(plan)}\n`);
  return 0;
}

// --- wiring -----------------------------------------------------------------------------------

/** The core's parts (composition/core.server.ts), once Redis answers; the database is migrated first unless only Redis is needed. */
async function openCore(options: { database: boolean }): Promise<Core> {
  const databaseUrl = resolveDatabaseUrl();
  if (options.database) {
    try {
      await migrateDatabase(databaseUrl, () => undefined);
    } catch (error) {
      throw new Error(`cannot open the database ${redactUrl(databaseUrl)} (${(error as Error).message.split("\n")[0]}); check DATABASE_URL`, { cause: error });
    }
  }
  const config = redisConfigFromEnv();
  // Connection errors surface through the ping below, as one line, not as ioredis's log noise.
  const core = buildCore({ redis: config, databaseUrl, logger: silentLogger });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([core.redis.ping(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("no answer")), 3_000)))]);
    return core;
  } catch {
    core.redis.disconnect();
    await core.db.$disconnect();
    throw new Error(`no Redis answers at ${describeRedis(config)}: start redis-server, or set REDIS_URL to the one npm start uses`);
  } finally {
    clearTimeout(timer);
  }
}

export async function main(argv: string[]): Promise<number> {
  let command: AnyCommand | "help";
  try {
    command = parseCommand(argv);
  } catch (error) {
    process.stderr.write(`holdfast: ${(error as Error).message}\nRun \`npm run holdfast -- --help\` for usage.\n`);
    return 2;
  }
  if (command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let core: Core | undefined;
  try {
    // The dead-letter queue lives in Redis only.
    if ("noun" in command && command.noun === "dlq") {
      core = await openCore({ database: false });
      return await runDlq(core, command);
    }
    core = await openCore({ database: true });
    if ("noun" in command) {
      if (command.noun === "prescale") return await runPrescale(core, command);
      return command.noun === "recover" ? await runRecover(core, command) : await runReconcile(core, command);
    }
    // Schedules set here reach the sale-lifecycle queue as they do from the admin API.
    print(await run(core.sales, command), command.values.json === true);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`holdfast: ${error.message}\nRun \`npm run holdfast -- --help\` for usage.\n`);
      return 2;
    }
    process.stderr.write(`holdfast: ${explain(error)}\n`);
    return 1;
  } finally {
    await core?.close();
  }
}

// The core names the API's fields; on the command line, name the options instead.
const OPTION_NAMES: [string, string][] = [
  ["schedule.prequeueAt", "--prequeue-at"],
  ["schedule.startsAt", "--starts-at"],
  ["schedule.endsAt", "--ends-at"],
  ["holdMinutes", "--hold-minutes"],
  ["perCustomerLimit", "--limit"],
  ["admission.mode", "--mode"],
  ["admission.perMinute", "--per-minute"],
  ["admission.maxActive", "--max-active"],
  ["admission.passMinutes", "--pass-minutes"],
  ["bypassPolicy", "--bypass"],
];

function explain(error: unknown): string {
  if (error instanceof UnknownSaleStockError) return `${error.message}. Run \`npm run holdfast -- sale list\` to see the sales.`;
  if (error instanceof SaleNotFoundError) return `${error.message} Run \`npm run holdfast -- sale list\` to see the sales.`;
  if (error instanceof InvalidInputError) return OPTION_NAMES.reduce((message, [field, option]) => message.split(field).join(option), error.message);
  if (error instanceof SaleConflictError || error instanceof UnscheduledSaleError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
