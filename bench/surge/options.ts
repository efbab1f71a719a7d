import { parseArgs } from "node:util";

/**
 * `npm run surge -- [options]`: what the rehearsal runs against and how the crowd arrives.
 * Every option is checked here, so a typo stops the run before any sale is created.
 */

export type ArrivalCurve = { kind: "spike"; seconds: number } | { kind: "ramp"; seconds: number } | { kind: "steady"; perSecond: number };

export interface SurgeOptions {
  /** The Holdfast to rehearse against, e.g. http://127.0.0.1:3000. */
  url: string;
  adminToken: string | null;
  /** An existing live sale to use instead of creating one. */
  saleId: string | null;
  shoppers: number;
  units: number;
  /** Units per hold (each shopper asks for this many of one item). */
  quantity: number;
  items: number;
  curve: ArrivalCurve;
  /** Admission rate of the created sale (shoppers per minute). */
  perMinute: number;
  /** Share of holds taken to checkout (the rest are released). */
  checkoutShare: number;
  /** The run stops here even when not sold out. */
  maxSeconds: number;
  /** Simultaneous HTTP connections to the target. */
  connections: number;
  /** Redis to measure (INFO, the sale's keys), or null to skip. */
  redisUrl: string | null;
  /** Where surge.json and surge.html go. */
  outDirectory: string | null;
  /** Progress bar: true on a terminal. */
  progress: boolean;
  seed: number;
}

export const SURGE_USAGE = `Usage: npm run surge -- [options]

A drop rehearsal: simulated shoppers go through the widget's protocol (join, poll as
refreshAfter says, hold when admitted, check out with the test provider or release)
against a running Holdfast, and a report says how the drop went.

  --url <url>              Holdfast to rehearse against (default http://127.0.0.1:3000)
  --admin-token <token>    admin API token (default HOLDFAST_ADMIN_TOKEN, or the local
                           development token file prisma/.holdfast-admin-token)
  --sale <saleId>          use this live sale instead of creating one
  --shoppers <n>           simulated shoppers (default 2000)
  --units <n>              units on sale when a sale is created (default 100)
  --items <n>              items the units are split over (default 2)
  --quantity <n>           units per hold (default 1)
  --curve <curve>          how shoppers arrive: spike[:seconds] (default spike:5),
                           ramp:<seconds>, or steady:<shoppers per second>
  --per-minute <n>         admission rate of the created sale (default: units x 4 per minute)
  --checkout-share <0..1>  share of holds checked out; the rest are released (default 0.9)
  --max-seconds <n>        stop after this long even when not sold out (default 600)
  --connections <n>        HTTP connections to the target (default 256)
  --redis <url>            Redis to measure memory on (default REDIS_URL for a local
                           target; "none" to skip)
  --out <dir>              where surge.json and surge.html are written (default bench/results)
  --seed <n>               random seed (default 1)
  --no-progress            no progress bar
  -h, --help               this text

Every simulated shopper sends X-Forwarded-For with its own address from 198.18.0.0/15 (the
range reserved for benchmarks). Holdfast honours it only from a trusted proxy: start the
target with HOLDFAST_TRUSTED_PROXIES=<the address surge runs from> so each shopper counts as
one address; otherwise the per-address limits treat the whole crowd as one client, as they
would an attacker, and the report counts the 429s.`;

export class SurgeUsageError extends Error {}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new SurgeUsageError(`--${name} must be a whole number from ${min} to ${max}; got "${raw}"`);
  }
  return value;
}

export function parseCurve(raw: string): ArrivalCurve {
  const [kind, value] = raw.split(":");
  if (kind === "spike") return { kind, seconds: integer("curve spike", value, 5, 0, 3_600) };
  if (kind === "ramp" && value !== undefined) return { kind, seconds: integer("curve ramp", value, 0, 1, 3_600) };
  if (kind === "steady" && value !== undefined) return { kind, perSecond: integer("curve steady", value, 0, 1, 1_000_000) };
  throw new SurgeUsageError(`--curve must be spike[:seconds], ramp:<seconds> or steady:<shoppers per second>; got "${raw}"`);
}

const SURGE_OPTIONS = {
  url: { type: "string" },
  "admin-token": { type: "string" },
  sale: { type: "string" },
  shoppers: { type: "string" },
  units: { type: "string" },
  items: { type: "string" },
  quantity: { type: "string" },
  curve: { type: "string" },
  "per-minute": { type: "string" },
  "checkout-share": { type: "string" },
  "max-seconds": { type: "string" },
  connections: { type: "string" },
  redis: { type: "string" },
  out: { type: "string" },
  seed: { type: "string" },
  "no-progress": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * `--name value` becomes `--name=value` for every option that takes a value, so a value that starts
 * with a dash is still a value: a generated admin token is base64url and starts with "-" one time in
 * 64, and node's strict parseArgs would refuse it as ambiguous (getopt takes the next word whatever it is).
 */
function withAttachedValues(argv: readonly string[]): string[] {
  const args: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? "";
    const name = arg.startsWith("--") ? arg.slice(2) : "";
    const takesValue = Object.hasOwn(SURGE_OPTIONS, name) && SURGE_OPTIONS[name as keyof typeof SURGE_OPTIONS].type === "string";
    const value = argv[index + 1];
    if (takesValue && value !== undefined) {
      args.push(`${arg}=${value}`);
      index += 1;
    } else args.push(arg);
  }
  return args;
}

export type ParsedSurgeArgs = { help: true } | { help: false; options: SurgeOptions };

/** Reads argv; `env` supplies defaults (admin token, Redis) and `localToken` reads the development token file. */
export function parseSurgeArgs(argv: readonly string[], env: NodeJS.ProcessEnv, localToken: () => string | null, isTty: boolean): ParsedSurgeArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: withAttachedValues(argv), strict: true, allowPositionals: false, options: SURGE_OPTIONS });
  } catch (error) {
    throw new SurgeUsageError(error instanceof Error ? error.message : String(error));
  }
  const values = parsed.values;
  if (values.help) return { help: true };

  const url = (values.url ?? "http://127.0.0.1:3000").replace(/\/+$/, "");
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new SurgeUsageError(`--url must be an http(s) URL; got "${url}"`);
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") throw new SurgeUsageError(`--url must be an http(s) URL; got "${url}"`);
  const local = ["127.0.0.1", "localhost", "[::1]"].includes(target.hostname);

  const saleId = values.sale ?? null;
  if (saleId !== null && !/^[A-Za-z0-9_-]{1,64}$/.test(saleId)) throw new SurgeUsageError(`--sale "${saleId}" is not a sale id`);
  const adminToken = values["admin-token"] ?? env.HOLDFAST_ADMIN_TOKEN ?? (local ? localToken() : null);
  if (adminToken === null && saleId === null) {
    throw new SurgeUsageError("creating a sale needs the admin token: pass --admin-token or set HOLDFAST_ADMIN_TOKEN (or give --sale <saleId>)");
  }

  const units = integer("units", values.units, 100, 1, 1_000_000);
  const items = integer("items", values.items, 2, 1, 100);
  if (items > units) throw new SurgeUsageError(`--items (${items}) cannot exceed --units (${units})`);
  const share = values["checkout-share"] === undefined ? 0.9 : Number(values["checkout-share"]);
  if (!Number.isFinite(share) || share < 0 || share > 1) throw new SurgeUsageError(`--checkout-share must be from 0 to 1; got "${values["checkout-share"]}"`);

  const redis = values.redis ?? (local ? (env.REDIS_URL ?? "redis://127.0.0.1:6379") : "none");
  return {
    help: false,
    options: {
      url,
      adminToken,
      saleId,
      shoppers: integer("shoppers", values.shoppers, 2_000, 1, 1_000_000),
      units,
      items,
      quantity: integer("quantity", values.quantity, 1, 1, 100),
      curve: parseCurve(values.curve ?? "spike:5"),
      perMinute: integer("per-minute", values["per-minute"], Math.max(60, units * 4), 1, 1_000_000),
      checkoutShare: share,
      maxSeconds: integer("max-seconds", values["max-seconds"], 600, 1, 86_400),
      connections: integer("connections", values.connections, 256, 1, 4_096),
      redisUrl: redis === "none" ? null : redis,
      outDirectory: values.out ?? null,
      progress: values["no-progress"] ? false : isTty,
      seed: integer("seed", values.seed, 1, 0, 2 ** 31),
    },
  };
}
