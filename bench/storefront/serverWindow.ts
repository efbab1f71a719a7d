/**
 * What a server under load saw of the timed window, measured inside its own process: each
 * request's time from node:http's 'request' event to the response's 'finish', how late the
 * event loop ran, and how much of the window it was busy (its utilization: below 1, the server
 * waited on something, such as Redis, rather than on its own CPU). Beside the load generator's latency it tells where a tail came from:
 * a p99 the generator saw but the server did not arose outside the server's JavaScript
 * (connection set-up, the kernel, the generator itself).
 *
 * The parent writes "window-start" and "window-end" lines on the child's stdin; at the end
 * the child answers a "window" message. Both the ceiling and the app run it, so the small
 * cost of timing each request is the same on both sides of the ratio.
 */
import type { Server } from "node:http";
import { createHistogram, monitorEventLoopDelay, performance, type EventLoopUtilization } from "node:perf_hooks";
import { createInterface } from "node:readline";

import { WINDOW_END, WINDOW_START, type ChildMessage, type ServerWindow } from "./protocol.ts";

const NS_PER_MS = 1e6;

export function reportServerWindow(server: Server, send: (message: ChildMessage) => void): void {
  const latency = createHistogram();
  // 10 ms is prom-client's resolution for the same figure; finer costs the loop a timer each turn.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  let recording = false;
  let utilizationAtStart: EventLoopUtilization | null = null;

  server.on("request", (_req, res) => {
    if (!recording) return;
    const start = process.hrtime.bigint();
    res.once("finish", () => latency.record(Math.max(1, Number(process.hrtime.bigint() - start))));
  });

  createInterface({ input: process.stdin }).on("line", (line) => {
    if (line === WINDOW_START) {
      latency.reset();
      loopDelay.reset();
      loopDelay.enable();
      utilizationAtStart = performance.eventLoopUtilization();
      recording = true;
    } else if (line === WINDOW_END && recording) {
      recording = false;
      loopDelay.disable();
      const utilization = utilizationAtStart === null ? 0 : performance.eventLoopUtilization(utilizationAtStart).utilization;
      send({ type: "window", window: { ...summarise(latency, loopDelay), loopUtilization: Math.round(utilization * 1000) / 1000 } });
    }
  });
}

function summarise(latency: ReturnType<typeof createHistogram>, loopDelay: ReturnType<typeof monitorEventLoopDelay>): Omit<ServerWindow, "loopUtilization"> {
  const ms = (ns: number) => Math.round((ns / NS_PER_MS) * 100) / 100;
  const measured = latency.count > 0;
  return {
    responses: latency.count,
    p50Ms: measured ? ms(latency.percentile(50)) : 0,
    p99Ms: measured ? ms(latency.percentile(99)) : 0,
    maxMs: measured ? ms(latency.max) : 0,
    // The histogram records delays beyond the timer's own period.
    loopDelayP99Ms: loopDelay.count > 0 ? ms(loopDelay.percentile(99)) : 0,
    loopDelayMaxMs: loopDelay.count > 0 ? ms(loopDelay.max) : 0,
  };
}
