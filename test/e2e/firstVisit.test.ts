// Issue #14: the console was a blank page on the first visit after a fresh start. Vite found
// the pages' dependencies only when the first page asked for them, re-bundled them and the page
// already loading held two copies of React ("Invalid hook call", a failed hydration). This
// starts `npm start` on an empty Vite cache of its own and signs in on the very first visit;
// then the same in production mode (NODE_ENV=production: the start builds into a directory of
// its own, as `npm run build` does, and serves that build).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";

import { ROOT } from "../db/databases.ts";
import { launchChromium } from "../support/chromium.ts";
import { startThrowawayRedis } from "../support/redis.ts";
import { DESKTOP_CHROME } from "./adminHarness.ts";

const dir = mkdtempSync(join(tmpdir(), "holdfast-first-visit-"));
// Under node_modules/ (the only dependency path the server hands to Vite), and empty: a cold start.
const VITE_CACHE = `node_modules/.vite-first-visit-${randomBytes(4).toString("hex")}`;
const ADMIN_TOKEN = `first-visit-${randomBytes(16).toString("hex")}`;
// Inside the project (gitignored), so the server bundle resolves node_modules as build/ does.
const BUILD_DIRECTORY = `.cache/remix-build-first-visit-${randomBytes(4).toString("hex")}`;

let redis: { url: string; stop: () => void };
let browser: Browser;
beforeAll(async () => {
  [redis, browser] = await Promise.all([startThrowawayRedis(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  redis?.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(join(ROOT, VITE_CACHE), { recursive: true, force: true });
  rmSync(join(ROOT, BUILD_DIRECTORY), { recursive: true, force: true });
});

it("signs in to the console on the first visit after a start on an empty Vite cache, with no console error", { timeout: 300_000 }, async () => {
  await signInOnFirstVisit({ NODE_ENV: "development", HOLDFAST_VITE_CACHE_DIR: VITE_CACHE, DATABASE_URL: `file:${join(dir, "development.db")}` });
});

it("signs in to the console on the first visit after a production start that builds first, with no console error", { timeout: 600_000 }, async () => {
  await signInOnFirstVisit({
    NODE_ENV: "production",
    HOLDFAST_BUILD_DIR: BUILD_DIRECTORY,
    HOLDFAST_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    DATABASE_URL: `file:${join(dir, "production.db")}`,
  });
});

/** Starts app/main.ts with `env`, opens /console in Chromium at once, signs in, and expects no console error. */
async function signInOnFirstVisit(env: Record<string, string>): Promise<void> {
  const child = spawn(process.execPath, ["--import", "tsx", "app/main.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: "0",
      REDIS_CLUSTER_NODES: "",
      REDIS_URL: redis.url,
      HOLDFAST_ADMIN_TOKEN: ADMIN_TOKEN,
      ...env,
    },
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  let output = "";
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const context = await browser.newContext({ userAgent: DESKTOP_CHROME });
  try {
    let base = "";
    for await (const line of createInterface({ input: child.stdout })) {
      output += `${line}\n`;
      base = /listening on (http:\/\/\S+)/.exec(line)?.[1] ?? base;
      if (line.includes("press Ctrl+C")) break;
    }
    expect(base, output).not.toBe("");
    child.stdout.resume();

    const page = await context.newPage();
    const errors: string[] = [];
    page.on("console", (message) => void (message.type() === "error" && errors.push(message.text())));
    page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
    await page.goto(`${base}/console`, { timeout: 240_000 });
    await page.waitForURL(/\/console\/login/);
    // Hydrated: Remix's router is up (a failed hydration leaves a page that ignores clicks).
    await page.waitForFunction(() => "__remixRouter" in window && document.readyState === "complete", undefined, { timeout: 240_000 });
    await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("link", { name: "Create drop" }).first().waitFor({ timeout: 240_000 });
    // npm start made the demo drop; the signed-in list shows it.
    await page.getByText("Holdfast demo drop").first().waitFor();
    expect(errors).toEqual([]);
  } finally {
    await context.close();
    child.kill("SIGTERM");
  }
  expect(await exited).toBe(0);
}
