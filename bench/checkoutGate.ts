// npm run bench:gate: what the checkout gate function costs per checkout, in Node.
//
// Shopify meters a function in Wasm instructions (11 million per run) of the Javy/QuickJS
// build, which needs `shopify app function build` and cannot run here. What this measures
// instead, for a 1-line and a 50-line cart: the run's wall time in Node with the JIT (V8
// optimised) and with --jitless (an interpreter, nearer to QuickJS), the SHA-256 blocks the
// HMAC checks hash (the dominant work, counted from the token sizes), and the input's size
// against Shopify's input limits. Prints a table and writes bench/results/checkoutGate.json.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

import { newKeyring } from "../app/core/secrets/signingKeys.ts";
import { signToken } from "../app/core/tokens/index.ts";
import { gateConfig, gateConfigValue, type ResolvedDrop } from "../app/drops/gate/gateConfig.ts";
import { MAX_GATE_CONFIG_BYTES } from "../extensions/checkout-gate/src/config.ts";
import { run } from "../extensions/checkout-gate/src/run.ts";
import type { RunInput } from "../extensions/checkout-gate/src/types.ts";
import { envInteger, hostMetadata, writeResults } from "./lib/results.ts";
import { formatTable, round } from "./lib/table.ts";

/** Shopify's documented input limit for a function run (bytes of input JSON). */
const MAX_INPUT_BYTES = 64_000;
const ITERATIONS = envInteger("BENCH_GATE_ITERATIONS", 2_000);

interface Scenario {
  name: string;
  input: RunInput;
  /** Distinct tokens the run verifies (one HMAC each). */
  tokens: string[];
  expectErrors: number;
}

function scenarios(): Scenario[] {
  const keyring = newKeyring();
  const now = Math.floor(Date.now() / 1000);
  // A shop running its largest drop: 50 variants, item ids as the app makes them (10 characters).
  const items = Array.from({ length: 50 }, (_, index) => `item${String(index).padStart(6, "0")}`);
  const drop: ResolvedDrop = {
    saleId: "BenchSale1",
    state: "live",
    variants: Object.fromEntries(items.map((item, index) => [String(1_000_000_000_000 + index), item])),
  };
  const config = JSON.parse(gateConfigValue(gateConfig(keyring, [drop]))) as unknown;
  const token = (lines: { i: string; q: number }[], hold: string) =>
    signToken({ typ: "hold", s: drop.saleId, h: hold, sh: "0123456789abcdef0123456789abcdef", iat: now, exp: now + 600, ln: lines }, keyring);
  const line = (index: number, quantity: number, value: string | null) => ({
    quantity,
    merchandise: { __typename: "ProductVariant" as const, id: `gid://shopify/ProductVariant/${1_000_000_000_000 + index}` },
    token: value ? { value } : null,
  });
  const input = (lines: RunInput["cart"]["lines"]): RunInput => ({
    cart: { lines },
    localization: { language: { isoCode: "EN" } },
    shop: { localTime: { date: new Date().toISOString().slice(0, 10) } },
    validation: { metafield: { jsonValue: config } },
  });
  const one = token([{ i: items[0]!, q: 1 }], "hold-0");
  const perLine = items.map((item, index) => token([{ i: item, q: 1 }], `hold-${index}`));
  const shared = token(
    items.map((item) => ({ i: item, q: 1 })),
    "hold-all",
  );
  return [
    { name: "1 line, held", input: input([line(0, 1, one)]), tokens: [one], expectErrors: 0 },
    { name: "1 line, no token", input: input([line(0, 1, null)]), tokens: [], expectErrors: 1 },
    { name: "50 lines, 50 holds", input: input(items.map((_, index) => line(index, 1, perLine[index]!))), tokens: perLine, expectErrors: 0 },
    { name: "50 lines, one 50-line hold", input: input(items.map((_, index) => line(index, 1, shared))), tokens: [shared], expectErrors: 0 },
    { name: "50 lines, all refused", input: input(items.map((_, index) => line(index, 2, perLine[index]!))), tokens: perLine, expectErrors: 50 },
  ];
}

/** SHA-256 blocks an HS256 check of `token` compresses: the signing input, then the digest. */
function sha256Blocks(token: string): number {
  const signingInput = token.slice(0, token.lastIndexOf(".")).length;
  // The key's two padded blocks are hashed once per run (hmacKey), not per token.
  return Math.ceil((signingInput + 9) / 64) + 1;
}

function measure(list: Scenario[]): Record<string, { medianUs: number; p95Us: number }> {
  const out: Record<string, { medianUs: number; p95Us: number }> = {};
  for (const scenario of list) {
    const errors = run(scenario.input).operations.flatMap((operation) => operation.validationAdd.errors).length;
    if (errors !== scenario.expectErrors) throw new Error(`${scenario.name}: ${errors} errors, expected ${scenario.expectErrors}`);
    for (let i = 0; i < Math.min(200, ITERATIONS); i++) run(scenario.input);
    const samples: number[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      const start = process.hrtime.bigint();
      run(scenario.input);
      samples.push(Number(process.hrtime.bigint() - start) / 1_000);
    }
    samples.sort((a, b) => a - b);
    out[scenario.name] = { medianUs: round(samples[Math.floor(samples.length / 2)]!, 1), p95Us: round(samples[Math.floor(samples.length * 0.95)]!, 1) };
  }
  return out;
}

if (process.argv.includes("--child")) {
  process.stdout.write(JSON.stringify(measure(scenarios())));
} else {
  const list = scenarios();
  const jit = measure(list);
  const self = fileURLToPath(import.meta.url);
  const jitless = JSON.parse(
    execFileSync(process.execPath, ["--jitless", "--import", "tsx", self, "--child"], {
      encoding: "utf8",
      env: { ...process.env, BENCH_GATE_ITERATIONS: String(Math.max(50, Math.floor(ITERATIONS / 10))) },
    }),
  ) as typeof jit;
  const configBytes = Buffer.byteLength(JSON.stringify(list[0]!.input.validation.metafield?.jsonValue));
  const rows = list.map((scenario) => {
    const inputBytes = Buffer.byteLength(JSON.stringify(scenario.input));
    const blocks = scenario.tokens.reduce((sum, token) => sum + sha256Blocks(token), 0);
    return {
      scenario: scenario.name,
      lines: scenario.input.cart.lines.length,
      hmacChecks: scenario.tokens.length,
      sha256Blocks: blocks,
      inputBytes,
      inputShareOfLimit: round(inputBytes / MAX_INPUT_BYTES, 3),
      jitMedianUs: jit[scenario.name]!.medianUs,
      jitP95Us: jit[scenario.name]!.p95Us,
      jitlessMedianUs: jitless[scenario.name]!.medianUs,
      jitlessP95Us: jitless[scenario.name]!.p95Us,
    };
  });
  console.log(
    formatTable(
      ["scenario", "lines", "HMACs", "SHA-256 blocks", "input bytes", "of 64,000", "JIT median us", "JIT p95 us", "jitless median us", "jitless p95 us"],
      rows.map((row) => [
        row.scenario,
        String(row.lines),
        String(row.hmacChecks),
        String(row.sha256Blocks),
        String(row.inputBytes),
        `${round(row.inputShareOfLimit * 100, 1)}%`,
        String(row.jitMedianUs),
        String(row.jitP95Us),
        String(row.jitlessMedianUs),
        String(row.jitlessP95Us),
      ]),
    ),
  );
  console.log(`\ngate metafield (50-variant drop, 1 key): ${configBytes} of ${MAX_GATE_CONFIG_BYTES} bytes`);
  const path = writeResults("checkoutGate", {
    host: hostMetadata(),
    iterations: ITERATIONS,
    limits: { inputBytes: MAX_INPUT_BYTES, metafieldBytes: MAX_GATE_CONFIG_BYTES, wasmInstructions: 11_000_000 },
    configBytes,
    rows,
  });
  console.log(`wrote ${path}`);
}
