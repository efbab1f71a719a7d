/**
 * The load generator on wrk (Debian's `wrk`, C with LuaJIT), in place of autocannon when
 * BENCH_LOADGEN=wrk: the same LoadSpec and ChildMessages as loadgen.ts, for timed rows only.
 * Usage: node --import tsx bench/storefront/wrk.ts <spec.json>
 *
 * Why: autocannon rebuilds each join and hold request in JavaScript (a fresh session each), so
 * it spends more per request on those rows than on the pre-encoded ceiling and status rows,
 * on the same 2 cores as the server. wrk builds every request in a LuaJIT function of a few
 * string operations, so each row costs the generator about the same, and little.
 *
 * wrk runs as a child of this process and is waited for before the result is sent, so its CPU
 * shows in this process's reaped-children time, which the parent counts as the generator's
 * (bench/lib/cpu.ts processCpuSeconds).
 *
 * Every connection holds its first request back for HOLD_OFF_MS, and the timed window opens when
 * that time is up: the server accepts all of wrk's connections while it is idle, and the timed
 * run measures answering, not accepting. A busy Node 20+ server accepts one connection per
 * event loop turn (libuv 1.45, libuv/libuv#3696). Against a bare node:http server spending 20 us
 * per request, the 256th connection of a run without the hold-off waited 1.6 s for its accept
 * while the others were served, and wrk's latency summary of such a run cannot be right (mean
 * x requests came to 4,942 s of waiting where 256 connections over 3 s allow at most 772 s):
 * that is where the rows' p99 tails of hundreds of milliseconds came from (none in 12 rounds
 * since, worst 43 ms). The server counts the connections it accepted inside the window
 * (serverWindow.ts); with the hold-off it is 0. The cost: wrk runs each request through its
 * delay timer (about 6% of a core more in wrk, on every row alike).
 *
 * What wrk reports differs from autocannon in two ways, both said in the result: statuses are
 * only "2xx" and "non-2xx" (wrk counts answers >= 400 as status errors; Lua response hooks
 * would cost the generator on every answer), and the sample bodies come from one request of
 * the same shape sent between the warm-up and the timed run (outside the server's window, so
 * its connection is not one the window counts).
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { round } from "../lib/table.ts";
import { loadRequest, type ChildMessage, type Credential, type LatencySummary, type LoadRequest, type LoadResult, type LoadSpec } from "./protocol.ts";

const RESULT_MARKER = "HOLDFAST_WRK_RESULT ";
/** How long each connection holds its first request: ample for an idle server to accept 256. */
const HOLD_OFF_MS = 1_000;
const SAMPLE_BODY_CHARS = 300;

function send(message: ChildMessage): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** A Lua string literal of `text` (long brackets cannot hold every input; this can). */
function luaString(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r")}"`;
}

/** A shopper session no request contains: where each request's own session goes in the Lua. */
const SESSION_MARK = "HOLDFASTSESSIONMARK";

/** `text` as a Lua expression, with the per-request `id` wherever the session mark stood. */
function luaWithSession(text: string): string {
  return text.split(SESSION_MARK).map(luaString).join(" .. id .. ");
}

/** wrk.format(...) of `request` as Lua, its session replaced by `id`. */
function luaFormat(request: LoadRequest): string {
  const headers = Object.entries(request.headers).map(([name, value]) => `[${luaString(name)}] = ${luaWithSession(value)}`);
  const body = request.body === undefined ? "nil" : luaWithSession(request.body);
  return `wrk.format(${luaString(request.method)}, ${luaString(request.path)}, { ${headers.join(", ")} }, ${body})`;
}

/**
 * The request() of one kind, as Lua, on loadRequest's shapes. Session ids stay within the
 * API's 16-128 of [A-Za-z0-9_-].
 */
function requestFunction(spec: LoadSpec): string {
  if (spec.kind === "status") {
    const credentials: Credential[] = spec.credentials ?? [];
    if (credentials.length === 0) throw new Error("status load needs credentials");
    const rows = credentials.map((credential) => luaFormat(loadRequest(spec, credential.session, credential))).join(",\n  ");
    // Pre-formatted once per thread, as loadgen.ts pre-encodes them: each request is a table read.
    return `local requests
local count, at = 0, 0
function init(args)
  requests = {
  ${rows}
  }
  count = #requests
end
function request()
  at = at % count + 1
  return requests[at]
end`;
  }
  if (spec.kind === "fixed") {
    // Formatted in init(), as every request is: before it, wrk.headers has no Host yet, and
    // node:http answers an HTTP/1.1 request without one 400 and closes the connection.
    return `local formatted
function init(args)
  formatted = ${luaFormat(loadRequest(spec, ""))}
end
function request() return formatted end`;
  }
  // join, holds: a fresh session (and requestId) per request; a fresh prefix per wrk run, so
  // warm-up and timed runs never repeat one.
  return `local n = 0
local prefix = ${luaString(randomBytes(12).toString("base64url"))}
function request()
  n = n + 1
  local id = prefix .. n
  return ${luaFormat(loadRequest(spec, SESSION_MARK))}
end`;
}

/**
 * delay(): wrk asks it before every request. The first `connections` calls are the connections'
 * first requests (no answer can arrive before one of them is sent): they wait HOLD_OFF_MS, so
 * every connection is open before any request is; later requests go at once.
 */
function holdOffFunction(spec: LoadSpec): string {
  return `local held = 0
function delay()
  if held < ${spec.connections} then
    held = held + 1
    return ${HOLD_OFF_MS}
  end
  return 0
end`;
}

/** done(): one marked line of JSON with what the run saw; latency in microseconds. */
const DONE_FUNCTION = `function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('${RESULT_MARKER}{"requests":%d,"durationMicros":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,"mean":%f}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean))
end`;

interface WrkSummary {
  requests: number;
  durationMicros: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

interface WrkHooks {
  /** Called HOLD_OFF_MS after wrk starts: the connections are open, their first requests not yet sent. */
  onRequestsFlow?: () => void;
  onProgress?: (elapsedSeconds: number) => void;
}

/** One wrk run of `seconds` after the hold-off. */
function runWrk(spec: LoadSpec, seconds: number, hooks: WrkHooks): Promise<WrkSummary> {
  const script = join(tmpdir(), `holdfast-wrk-${process.pid}-${randomBytes(4).toString("hex")}.lua`);
  writeFileSync(script, `${requestFunction(spec)}\n${holdOffFunction(spec)}\n${DONE_FUNCTION}\n`);
  // One thread: one Lua state and one epoll loop are enough for every row here, and cost least.
  const runSeconds = Math.max(1, Math.round(seconds)) + HOLD_OFF_MS / 1_000;
  const args = ["-t1", `-c${spec.connections}`, `-d${runSeconds}s`, "--timeout", "10s", "-s", script, spec.base];
  return new Promise((resolve, reject) => {
    const child = spawn("wrk", args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const started = Date.now();
    const { onProgress, onRequestsFlow } = hooks;
    const timer =
      onProgress && spec.progressSeconds > 0 ? setInterval(() => onProgress((Date.now() - started) / 1_000), spec.progressSeconds * 1_000) : undefined;
    const flowing = onRequestsFlow ? setTimeout(onRequestsFlow, HOLD_OFF_MS) : undefined;
    child.once("error", (error: NodeJS.ErrnoException) => {
      clearInterval(timer);
      clearTimeout(flowing);
      reject(error.code === "ENOENT" ? new Error("BENCH_LOADGEN=wrk needs wrk on the PATH (Debian: apt-get install wrk)") : error);
    });
    child.once("close", (code) => {
      clearInterval(timer);
      clearTimeout(flowing);
      const line = stdout.split("\n").find((text) => text.startsWith(RESULT_MARKER));
      if (code !== 0 || !line) {
        reject(new Error(`wrk exited with ${code}: ${(stderr || stdout).trim().slice(-500)}`));
        return;
      }
      resolve(JSON.parse(line.slice(RESULT_MARKER.length)) as WrkSummary);
    });
  });
}

/** One request shaped as the run's, for the sample bodies wrk does not keep. */
async function sampleAnswer(spec: LoadSpec): Promise<{ status: number; bytes: number; body: string }> {
  const request = loadRequest(spec, `${randomBytes(12).toString("base64url")}sample`, spec.credentials?.[0]);
  const response = await fetch(`${spec.base}${request.path}`, request);
  const text = await response.text();
  return { status: response.status, bytes: Buffer.byteLength(text), body: text.slice(0, SAMPLE_BODY_CHARS) };
}

function latencySummary(run: WrkSummary): LatencySummary {
  const ms = (micros: number): number => round(micros / 1_000, 3);
  return { count: run.requests, p50Ms: ms(run.p50), p90Ms: ms(run.p90), p99Ms: ms(run.p99), p999Ms: ms(run.p999), maxMs: ms(run.max), meanMs: ms(run.mean) };
}

async function main(): Promise<void> {
  // The parent going away closes our stdin: stop loading its servers.
  process.stdin.on("end", () => process.exit(1)).resume();
  const specPath = process.argv[2];
  if (!specPath) throw new Error("usage: wrk.ts <spec.json>");
  const spec = JSON.parse(readFileSync(specPath, "utf8")) as LoadSpec;
  if (spec.amount !== undefined) throw new Error("wrk runs for a duration; a run of an exact amount of requests uses loadgen.ts (autocannon)");

  const warmup = spec.warmupSeconds > 0 ? await runWrk(spec, spec.warmupSeconds, {}) : null;
  const sample = await sampleAnswer(spec);
  const timed = await runWrk(spec, spec.seconds, {
    onRequestsFlow: () => send({ type: "timed-start" }),
    onProgress: (elapsedSeconds) => send({ type: "progress", responses: null, target: null, elapsedSeconds: round(elapsedSeconds, 1), requestsPerSec: null }),
  });
  // The rate is over the time requests flowed: the run less its hold-off.
  const seconds = timed.durationMicros / 1e6 - HOLD_OFF_MS / 1_000;
  const ok = timed.requests - timed.status;
  const sampleOk = sample.status >= 200 && sample.status < 300;
  const result: LoadResult = {
    kind: spec.kind,
    responses: timed.requests,
    seconds: round(seconds, 3),
    requestsPerSec: Math.round(timed.requests / seconds),
    latency: latencySummary(timed),
    errors: timed.connect + timed.read + timed.write,
    timeouts: timed.timeout,
    non2xx: timed.status,
    statusCodes: { "2xx": ok, "non-2xx": timed.status },
    non2xxSamples: sampleOk ? [] : [{ status: sample.status, body: sample.body }],
    okSample: sampleOk ? sample : null,
    warmupResponses: warmup?.requests ?? 0,
    warmupNon2xx: warmup?.status ?? 0,
  };
  send({ type: "result", result });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    send({ type: "fatal", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exit(1);
  },
);
