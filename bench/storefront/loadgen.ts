/**
 * The load generator, in its own process so it never shares a CPU thread with the server
 * under test: autocannon (pipelining 1) with a warm-up, then a timed run (a duration, or an
 * exact `amount` of requests). Usage: node --import tsx bench/storefront/loadgen.ts <spec.json>
 * (a LoadSpec). Writes ChildMessages on stdout: timed-start, progress, then result.
 *
 * Latency is recorded here for every response (2xx or not) with microsecond resolution
 * (autocannon's own histogram rounds to whole milliseconds and skips non-2xx answers).
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";

import { LatencyHistogram } from "../lib/histogram.ts";
import { round } from "../lib/table.ts";
import { autocannon, type AutocannonClient, type AutocannonRequest } from "./autocannon.ts";
import { loadRequest, type ChildMessage, type Credential, type LatencySummary, type LoadResult, type LoadSpec } from "./protocol.ts";

const SAMPLE_BODY_CHARS = 300;
/** autocannon's message for a request it timed out (lib/run.js). */
const TIMED_OUT = "request timed out";

function send(message: ChildMessage): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** Session ids the API accepts (16-128 of [A-Za-z0-9_-]), unique per request and per process. */
function sessionIds(): () => string {
  const prefix = randomBytes(12).toString("base64url");
  let next = 0;
  return () => `${prefix}${(next++).toString(36)}`;
}

interface Observed {
  responses: number;
  non2xx: number;
  /** Responses by HTTP status. */
  statusCodes: Record<string, number>;
  /** Requests that failed without an answer (connection errors, timeouts). */
  errors: number;
  timeouts: number;
  latency: LatencyHistogram;
  non2xxSamples: { status: number; body: string }[];
  okSample: { status: number; bytes: number; body: string } | null;
}

function newObserved(): Observed {
  return { responses: 0, non2xx: 0, statusCodes: {}, errors: 0, timeouts: 0, latency: new LatencyHistogram(), non2xxSamples: [], okSample: null };
}

interface Plan {
  requests: AutocannonRequest[];
  setupClient?: (client: AutocannonClient) => void;
}

/**
 * What each connection sends. Status requests are pre-encoded: each connection cycles through
 * its own few (session, ticket) pairs, all pairs spread over the connections, so the load
 * generator spends nothing per request on building them. Joins and holds need a fresh session
 * (and requestId) per request, so setupRequest builds each one.
 */
function planFor(spec: LoadSpec, observed: () => Observed): Plan {
  const onResponse = (status: number, body: string): void => {
    const seen = observed();
    if (status >= 200 && status < 300) {
      seen.okSample ??= { status, bytes: Buffer.byteLength(body), body: body.slice(0, SAMPLE_BODY_CHARS) };
    } else if (seen.non2xxSamples.length < 5) {
      seen.non2xxSamples.push({ status, body: body.slice(0, SAMPLE_BODY_CHARS) });
    }
  };
  switch (spec.kind) {
    case "status": {
      const credentials = spec.credentials ?? [];
      if (credentials.length === 0) throw new Error("status load needs credentials");
      const statusRequest = (credential: Credential): AutocannonRequest => ({ ...loadRequest(spec, credential.session, credential), onResponse });
      const perConnection = Math.max(1, Math.ceil(credentials.length / spec.connections));
      let nextClient = 0;
      return {
        requests: [statusRequest(credentials[0]!)],
        setupClient(client) {
          const first = (nextClient++ * perConnection) % credentials.length;
          client.setRequests(Array.from({ length: perConnection }, (_unused, j) => statusRequest(credentials[(first + j) % credentials.length]!)));
        },
      };
    }
    case "fixed":
      return { requests: [{ ...loadRequest(spec, ""), onResponse }] };
    case "join":
    case "holds": {
      const session = sessionIds();
      return {
        requests: [
          {
            ...loadRequest(spec, session()),
            setupRequest(request) {
              const fresh = loadRequest(spec, session());
              request.headers = fresh.headers;
              if (fresh.body !== undefined) request.body = fresh.body;
              return request;
            },
            onResponse,
          },
        ],
      };
    }
  }
}

function summary(histogram: LatencyHistogram): LatencySummary {
  const s = histogram.summaryMs();
  return {
    count: s.count,
    p50Ms: round(s.p50Ms, 3),
    p90Ms: round(s.p90Ms, 3),
    p99Ms: round(s.p99Ms, 3),
    p999Ms: round(s.p999Ms, 3),
    maxMs: round(s.maxMs, 3),
    meanMs: round(s.meanMs, 3),
  };
}

/** The phase responses are counted in now: the warm-up, then the timed window. */
interface Counting {
  observed: Observed;
  /** When it began (process.hrtime.bigint()). */
  since: bigint;
}

/**
 * One autocannon run. With `warmupSeconds`, the first of its seconds are the warm-up and the
 * timed window opens after them on the same connections (`onTimed` is called then): the
 * connections the warm-up opened serve the timed window, so it measures answering, not
 * accepting (a busy Node server accepts one connection per event loop turn; see wrk.ts).
 */
function run(
  spec: LoadSpec,
  limit: { duration: number } | { amount: number },
  phases: { warmup: Observed; timed: Observed; warmupSeconds: number; onTimed: () => void },
  onProgress: ((seen: Observed, elapsedSeconds: number) => void) | null,
): Promise<{ seconds: number }> {
  return new Promise((resolve, reject) => {
    const counting: Counting = { observed: phases.warmupSeconds > 0 ? phases.warmup : phases.timed, since: process.hrtime.bigint() };
    const elapsed = (): number => Number(process.hrtime.bigint() - counting.since) / 1e9;
    let progress: NodeJS.Timeout | undefined;
    const openTimed = (): void => {
      counting.observed = phases.timed;
      counting.since = process.hrtime.bigint();
      phases.onTimed();
      if (onProgress && spec.progressSeconds > 0) progress = setInterval(() => onProgress(phases.timed, elapsed()), spec.progressSeconds * 1_000);
    };
    const opening = phases.warmupSeconds > 0 ? setTimeout(openTimed, phases.warmupSeconds * 1_000) : undefined;
    if (opening === undefined) openTimed();
    const instance = autocannon(
      { url: spec.base, connections: spec.connections, pipelining: 1, timeout: 10, ...limit, ...planFor(spec, () => counting.observed) },
      (error) => {
        clearTimeout(opening);
        clearInterval(progress);
        if (error) reject(error);
        else resolve({ seconds: elapsed() });
      },
    );
    instance.on("response", (_client, statusCode, _bytes, responseTimeMs) => {
      const observed = counting.observed;
      observed.responses += 1;
      observed.statusCodes[statusCode] = (observed.statusCodes[statusCode] ?? 0) + 1;
      if (statusCode < 200 || statusCode >= 300) observed.non2xx += 1;
      observed.latency.recordMicros(responseTimeMs * 1_000);
    });
    instance.on("reqError", (error) => {
      counting.observed.errors += 1;
      if (error.message === TIMED_OUT) counting.observed.timeouts += 1;
    });
  });
}

async function main(): Promise<void> {
  // The parent going away closes our stdin: stop loading its servers.
  process.stdin.on("end", () => process.exit(1)).resume();
  const specPath = process.argv[2];
  if (!specPath) throw new Error("usage: loadgen.ts <spec.json>");
  const spec = JSON.parse(readFileSync(specPath, "utf8")) as LoadSpec;

  const warmup = newObserved();
  const timed = newObserved();
  const target = spec.amount ?? null;
  // A run of an exact amount (the memory phase) has no warm-up: it counts every request.
  if (target !== null && spec.warmupSeconds > 0) throw new Error("a run of an exact amount of requests has no warm-up");
  const limit = target === null ? { duration: spec.warmupSeconds + spec.seconds } : { amount: target };
  const phases = { warmup, timed, warmupSeconds: spec.warmupSeconds, onTimed: () => send({ type: "timed-start" }) };
  const { seconds } = await run(spec, limit, phases, (seen, elapsedSeconds) =>
    send({
      type: "progress",
      responses: seen.responses,
      target,
      elapsedSeconds: round(elapsedSeconds, 1),
      requestsPerSec: Math.round(seen.responses / elapsedSeconds),
    }),
  );
  const loadResult: LoadResult = {
    kind: spec.kind,
    responses: timed.responses,
    seconds: round(seconds, 3),
    requestsPerSec: Math.round(timed.responses / seconds),
    latency: summary(timed.latency),
    errors: timed.errors,
    timeouts: timed.timeouts,
    non2xx: timed.non2xx,
    statusCodes: timed.statusCodes,
    non2xxSamples: timed.non2xxSamples,
    okSample: timed.okSample,
    warmupResponses: warmup.responses,
    warmupNon2xx: warmup.non2xx,
  };
  send({ type: "result", result: loadResult });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    send({ type: "fatal", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exit(1);
  },
);
