// Issue #16 items 2 and 3: the image's contents (scripts/build-server.mjs --out, the Remix build,
// node_modules) started with the exact command and environment the production overlay gives
// the web and worker containers, as processes: plain node, no tsx, no sources. The web runs on
// Node 22 (the npm `node` package), the worker on the Node that runs the tests (20 here). Only PORT and
// HOST differ from the containers' (a free loopback port: tests share this machine).
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { freshDatabase, ROOT, type TestDatabase } from "../db/databases.ts";
import { spawnHoldfast, type HoldfastProcess } from "../support/holdfastProcess.ts";
import { Shopper } from "../support/storefront.ts";
import { startPrivateRedis, type PrivateRedis } from "../worker/privateRedis.ts";
import { containerOf, dockerRuntime, find, renderProduction, type Container } from "./manifests.ts";

const run = promisify(execFile);
const image = mkdtempSync(join(tmpdir(), "holdfast-image-"));
const production = renderProduction();
const ADMIN_TOKEN = randomBytes(24).toString("base64url");
const secrets = { HOLDFAST_ENCRYPTION_KEY: randomBytes(32).toString("base64"), HOLDFAST_ADMIN_TOKEN: ADMIN_TOKEN };

let redis: PrivateRedis;
let database: TestDatabase;
let filesBefore: string[];
let node22: string;
let web: HoldfastProcess;
let worker: HoldfastProcess;
const baseOf = (started: HoldfastProcess) => started.match[1] as string;

/** Every file of the image's folder but node_modules, to see whether the app wrote any. */
function filesOf(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => !entry.isDirectory() && !relative(image, join(entry.parentPath, entry.name)).startsWith("node_modules"))
    .map((entry) => relative(image, join(entry.parentPath, entry.name)))
    .sort();
}

/** A container's environment: the image's ENV, the ConfigMap, its own values and the Secret's keys it names. */
function containerEnv(container: Container, secretValues: Record<string, string>): Record<string, string> {
  const config = (find(production, "ConfigMap", "holdfast-config") as unknown as { data: Record<string, string> }).data;
  const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin", ...dockerRuntime().env, ...config };
  for (const variable of container.env ?? []) {
    const secret = variable.valueFrom?.secretKeyRef;
    if (variable.value !== undefined) env[variable.name] = variable.value;
    else if (secret && secretValues[secret.key] !== undefined) env[variable.name] = secretValues[secret.key] as string;
    else if (secret && !secret.optional) throw new Error(`the test has no value for the Secret's ${secret.key}`);
  }
  return { ...env, PORT: "0", HOST: "127.0.0.1" };
}

function start(deployment: string, until: RegExp, node?: string): Promise<HoldfastProcess> {
  const container = containerOf(production, deployment);
  const [binary, ...args] = container.command;
  expect(binary).toBe("node");
  return spawnHoldfast(
    containerEnv(container, { ...secrets, DATABASE_URL: database.url, REDIS_URL: redis.url }),
    until,
    node ? { node, args, cwd: image, exactEnv: true } : { args, cwd: image, exactEnv: true },
  );
}

beforeAll(async () => {
  [node22] = await Promise.all([
    // Cached by npx on this machine; offline it fails here, saying so.
    run("npx", ["-y", "-p", "node@22", "node", "-p", "process.execPath"], { timeout: 120_000 }).then(({ stdout }) => stdout.trim()),
    run(process.execPath, ["scripts/build-server.mjs", "--out", image], { cwd: ROOT }),
    run(process.execPath, ["node_modules/@remix-run/dev/dist/cli.js", "vite:build"], {
      cwd: ROOT,
      env: { ...process.env, HOLDFAST_BUILD_DIR: join(image, "build") },
    }),
  ]);
  symlinkSync(realpathSync(join(ROOT, "node_modules")), join(image, "node_modules"));
  [redis, database] = await Promise.all([startPrivateRedis(), freshDatabase("postgresql")]);
  filesBefore = filesOf(image);
  // The worker first: both migrate on start, under PostgreSQL's advisory lock; one is enough to wait for.
  worker = await start("holdfast-worker", /health (http:\/\/\S+)\/healthz/);
  web = await start("holdfast-web", /listening on (http:\/\/\S+)/, node22);
}, 600_000);

afterAll(async () => {
  for (const started of [web, worker]) if (started && started.child.exitCode === null) started.child.kill("SIGKILL");
  await redis?.stop();
  await database?.drop();
  rmSync(image, { recursive: true, force: true });
}, 60_000);

describe("the compiled build, started as the manifests start it", () => {
  it("holds no TypeScript and starts with plain node: the web on Node 22, the worker on the tests' Node", async () => {
    expect(filesBefore.filter((file) => /\.tsx?$/.test(file) && file !== "prisma.config.ts" && file !== "prisma/database-url.ts")).toEqual([]);
    expect(filesBefore).toEqual(
      expect.arrayContaining(["dist/main.js", "dist/worker.js", "dist/cli.js", "build/server/index.js", "app/core/inventory/lua/reserve.lua"]),
    );
    expect(web.output()).not.toMatch(/tsx|Vite/);
    const versions = await Promise.all(
      [web, worker].map((started) => run("ps", ["-o", "args=", "-p", String(started.child.pid)]).then(({ stdout }) => stdout)),
    );
    expect(versions.map((line) => line.trim())).toEqual([
      `${node22} --max-semi-space-size=64 dist/main.js`,
      `${process.execPath} --max-semi-space-size=64 dist/main.js`,
    ]);
    expect((await run(node22, ["--version"])).stdout).toMatch(/^v22\./);
  });

  it("answers every probe of its manifest, with its role", async () => {
    for (const [started, deployment, role] of [
      [web, "holdfast-web", "web"],
      [worker, "holdfast-worker", "worker"],
    ] as const) {
      const container = containerOf(production, deployment);
      for (const probe of [container.startupProbe, container.livenessProbe, container.readinessProbe]) {
        const path = probe?.httpGet.path as string;
        await expect.poll(async () => (await fetch(`${baseOf(started)}${path}`)).status, { timeout: 60_000, interval: 250 }).toBe(200);
      }
      expect(((await (await fetch(`${baseOf(started)}/readyz`)).json()) as { role: string }).role).toBe(role);
    }
  });

  it("serves the Remix app from the compiled build and takes a hold through the storefront API", async () => {
    const page = await fetch(`${baseOf(web)}/console`);
    expect(page.status).toBe(200);
    const asset = /\/assets\/[\w.-]+\.js/.exec(await page.text())?.[0];
    expect((await fetch(`${baseOf(web)}${asset}`)).status).toBe(200);

    const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" };
    const created = await fetch(`${baseOf(web)}/v1/admin/sales`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ name: "Image drop", items: [{ title: "Tee", allocation: 5 }], holdMinutes: 10, perCustomerLimit: 0, admission: { mode: "off" } }),
    });
    const sale = (await created.json()) as { id: string; items: { id: string }[] };
    expect(created.status, JSON.stringify(sale)).toBe(201);
    expect((await fetch(`${baseOf(web)}/v1/admin/sales/${sale.id}/start`, { method: "POST", headers: admin })).status).toBe(200);
    const hold = await new Shopper(baseOf(web), sale.id).hold([{ itemId: sale.items[0]?.id as string, quantity: 2 }]);
    expect(hold.status, JSON.stringify(hold.body)).toBe(201);
  });

  it("both stop on SIGTERM within seconds, having written no file into the image", async () => {
    const started = Date.now();
    web.child.kill("SIGTERM");
    worker.child.kill("SIGTERM");
    const codes = await Promise.all([web.exited, worker.exited]);
    const seconds = (Date.now() - started) / 1_000;
    expect(codes, `${web.output()}\n${worker.output()}`).toEqual([0, 0]);
    expect(seconds, "seconds from SIGTERM to both exited").toBeLessThan(8);
    expect(filesOf(image)).toEqual(filesBefore);
  }, 30_000);
});
