/**
 * What a server under load saw of the timed window, measured inside its own process: each
 * request's time from node:http's 'request' event to the response's 'finish', how late the
 * event loop ran, and how much of the window it was busy (its utilization: below 1, the server
 * waited on something, such as Redis, rather than on its own CPU). Beside the load generator's
 * latency it tells where a tail came from: a p99 the generator saw but the server did not
 * arose outside the server's JavaScript (connection set-up, the kernel, the generator itself).
 *
 * The parent writes "window-start" and "window-end" lines on the child's stdin; at the end
 * the child answers a "window" message. Both the ceiling and the app run it, so the small
 * cost of timing each request is the same on both sides of the ratio.
 */
import type { Server } from "node:http";
import { createHistogram, monitorEventLoopDelay, performance, type EventLoopUtilization, type RecordableHistogram } from "node:perf_hooks";
import { createInterface } from "node:readline";

import { round } from "../lib/table.ts";
import { WINDOW_END, WINDOW_START, type ChildMessage, type ServerWindow } from "./protocol.ts";

const NS_PER_MS = 1e6;
// 10 ms is prom-client's resolution for the same figure; finer costs the loop a timer each turn.
const LOOP_TIMER_MS = 10;

export function reportServerWindow(server: Server, send: (message: ChildMessage) => void): void {
  const latency = createHistogram();
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_TIMER_MS });
  /** The event loop's utilization counters when the window opened; null outside a window. */
  let openedAt: EventLoopUtilization | null = null;
  let connectionsAccepted = 0;

  server.on("connection", () => {
    if (openedAt !== null) connectionsAccepted += 1;
  });

  server.on("request", (_req, res) => {
    if (openedAt === null) return;
    const start = process.hrtime.bigint();
    res.once("finish", () => latency.record(Math.max(1, Number(process.hrtime.bigint() - start))));
  });

  createInterface({ input: process.stdin }).on("line", (line) => {
    if (line === WINDOW_START) {
      latency.reset();
      connectionsAccepted = 0;
      loopDelay.reset();
      loopDelay.enable();
      openedAt = performance.eventLoopUtilization();
    } else if (line === WINDOW_END && openedAt !== null) {
      const { utilization } = performance.eventLoopUtilization(openedAt);
      openedAt = null;
      loopDelay.disable();
      send({ type: "window", window: summarise(latency, loopDelay, utilization, connectionsAccepted) });
    }
  });
}

function summarise(
  latency: RecordableHistogram,
  loopDelay: ReturnType<typeof monitorEventLoopDelay>,
  utilization: number,
  connectionsAccepted: number,
): ServerWindow {
  const ms = (ns: number) => round(ns / NS_PER_MS, 2);
  // The loop histogram records whole timer intervals, its own period included (an idle loop
  // reads 10 ms): the delay is what lies beyond that period.
  const late = (ns: number) => Math.max(0, ms(ns - LOOP_TIMER_MS * NS_PER_MS));
  const measured = latency.count > 0;
  const looped = loopDelay.count > 0;
  return {
    responses: latency.count,
    p50Ms: measured ? ms(latency.percentile(50)) : 0,
    p99Ms: measured ? ms(latency.percentile(99)) : 0,
    maxMs: measured ? ms(latency.max) : 0,
    loopDelayP99Ms: looped ? late(loopDelay.percentile(99)) : 0,
    loopDelayMaxMs: looped ? late(loopDelay.max) : 0,
    loopUtilization: round(utilization, 3),
    connectionsAccepted,
  };
}
