import { spawn } from "node:child_process";
import { createReadStream, existsSync, readdirSync, realpathSync, statSync } from "node:fs";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { createReadableStreamFromReadable, createRequestHandler, writeReadableStreamToWritable, type AppLoadContext, type ServerBuild } from "@remix-run/node";

import type { Logger } from "../core/logger.ts";
import { remixServes } from "./routes.server.ts";
import { refuseCrossOrigin } from "./originGuard.server.ts";
import { answeringUnavailable } from "./unavailable.server.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** build/, or HOLDFAST_BUILD_DIR (relative to the project), where vite.config.ts writes it too. */
export const DEFAULT_BUILD_DIRECTORY = resolve(ROOT, process.env.HOLDFAST_BUILD_DIR || "build");

export type WebMode = "development" | "production";

export interface WebAppOptions {
  /** development: Vite in middleware mode (no build step, HMR); production: the build in build/. */
  mode: WebMode;
  /** Remix's `context` for each request: the app's parts, so routes never open their own connections. */
  loadContext: () => AppLoadContext;
  logger: Logger;
  /** Progress lines for people (npm start prints them). */
  say?: (line: string) => void;
  /** Where `remix vite:build` wrote (production); default build/. */
  buildDirectory?: string;
}

/** The Remix half of the one HTTP server (app/server.ts asks it about every non-API path). */
export interface WebApp {
  /** Loads Remix (and Vite in development); resolves once it can answer. */
  start(server: Server): Promise<void>;
  /** Answers the request when Remix or its assets serve the path; false lets the caller 404. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  close(): Promise<void>;
}

interface Loaded {
  build: () => Promise<ServerBuild>;
  /** Vite's middlewares (development) or the static files of the client build (production). */
  assets: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  close: () => Promise<void>;
}

export function createWebApp(options: WebAppOptions): WebApp {
  let loaded: Promise<Loaded> | null = null;
  let remix: ReturnType<typeof createRequestHandler> | null = null;

  return {
    start(server) {
      loaded ??= options.mode === "development" ? startVite(server, options) : loadBuild(options);
      return loaded.then((parts) => {
        // An unreachable database or Redis answers 503 on every page, not Remix's 500.
        remix = createRequestHandler(() => parts.build().then(answeringUnavailable), options.mode);
      });
    },
    async handle(req, res) {
      if (!loaded) return false;
      const parts = await loaded;
      if (await parts.assets(req, res)) return true;
      const build = await parts.build();
      const url = new URL(req.url ?? "/", "http://localhost");
      if (!remixServes(build, url.pathname)) return false;
      if (refuseCrossOrigin(req, res)) return true;
      const request = toWebRequest(req, res);
      const response = await (remix as NonNullable<typeof remix>)(request, options.loadContext());
      await sendWebResponse(res, response);
      return true;
    },
    async close() {
      const parts = await loaded?.catch(() => null);
      await parts?.close();
    },
  };
}

/** A Fetch API Request for a node:http request; the body streams, and aborts if the client goes. */
export function toWebRequest(req: IncomingMessage, res: ServerResponse): Request {
  // Behind `shopify app dev` (a tunnel) or a load balancer, the public scheme is forwarded.
  const forwardedProto = String(req.headers["x-forwarded-proto"] ?? "")
    .split(",", 1)[0]
    ?.trim();
  const protocol = forwardedProto === "https" || forwardedProto === "http" ? forwardedProto : "http";
  const url = new URL(req.url ?? "/", `${protocol}://${req.headers.host ?? "localhost"}`);
  const controller = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const each of Array.isArray(value) ? value : [value]) headers.append(name, each);
  }
  const init: RequestInit & { duplex?: "half" } = { method: req.method ?? "GET", headers, signal: controller.signal };
  if (req.method !== "GET" && req.method !== "HEAD") {
    init.body = createReadableStreamFromReadable(req);
    init.duplex = "half";
  }
  return new Request(url, init);
}

/** Writes a Fetch API Response to node:http, keeping every Set-Cookie header. */
export async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of response.headers) {
    if (name !== "set-cookie") headers[name] = value;
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  res.writeHead(response.status, response.statusText, headers);
  if (response.body && res.req.method !== "HEAD") await writeReadableStreamToWritable(response.body, res);
  else res.end();
}

// ---------------------------------------------------------------------------------------
// development: Vite in middleware mode

/** Only these paths ever reach Vite, so its static file server cannot hand out the project's files. */
function isViteRequest(pathname: string): boolean {
  if (pathname.startsWith("/@") || pathname.startsWith("/node_modules/")) return true;
  // Browser modules of the Remix app (the server-only guard in vite.config.ts refuses the rest).
  return /^\/app\/(root|entry\.client|routes\/[^?]+|components\/[^?]+)\.(tsx|ts|jsx|js|css)$/.test(pathname);
}

async function startVite(server: Server, options: WebAppOptions): Promise<Loaded> {
  const started = Date.now();
  const vite = await import("vite");
  const sigtermBefore = new Set(process.listeners("SIGTERM"));
  const stdinEndBefore = new Set(process.stdin.listeners("end"));
  const dev = await vite.createServer({
    root: ROOT,
    configFile: join(ROOT, "vite.config.ts"),
    appType: "custom",
    server: {
      middlewareMode: true,
      hmr: { server },
      // node_modules may be a link to another directory (a git worktree sharing one install): its real path holds Remix's client entry.
      fs: { allow: [ROOT, realpathSync(join(ROOT, "node_modules"))], deny: [".env", ".env.*", "*.{crt,pem}", "**/.git/**", "**/prisma/**", "*.db"] },
    },
  });
  // Remix's plugin runs a second Vite server to read route exports, and that one exits the
  // process on SIGTERM (code 143) before our graceful shutdown runs; shutdown is ours to do.
  for (const listener of process.listeners("SIGTERM")) if (!sigtermBefore.has(listener)) process.off("SIGTERM", listener);
  for (const listener of process.stdin.listeners("end")) if (!stdinEndBefore.has(listener)) process.stdin.off("end", listener as () => void);
  options.say?.(`web: Vite dev server ready in ${Date.now() - started} ms (pages compile on first visit)`);
  return {
    // Vite restarts itself when its watched config changes; a load caught in between fails
    // with a disconnected transport and succeeds on the restarted server.
    build: () => dev.ssrLoadModule("virtual:remix/server-build").catch(() => dev.ssrLoadModule("virtual:remix/server-build")) as Promise<ServerBuild>,
    assets: (req, res) =>
      new Promise<boolean>((resolve, reject) => {
        const pathname = (req.url ?? "/").split("?", 1)[0] as string;
        if (!isViteRequest(pathname)) return resolve(false);
        res.once("finish", () => resolve(true));
        dev.middlewares(req, res, (error?: unknown) => (error ? reject(error) : resolve(false)));
      }),
    close: () => dev.close(),
  };
}

// ---------------------------------------------------------------------------------------
// production: the output of `remix vite:build`

async function loadBuild(options: WebAppOptions): Promise<Loaded> {
  const directory = options.buildDirectory ?? DEFAULT_BUILD_DIRECTORY;
  const serverEntry = join(directory, "server", "index.js");
  // A deployed image holds the compiled output without the sources (deploy/Dockerfile): there
  // is nothing to rebuild from, and its build is the one it was made with.
  const sources = existsSync(join(ROOT, "vite.config.ts"));
  if (!existsSync(serverEntry)) {
    if (!sources) throw new Error(`no Remix build in ${directory} and no sources to build it from; run npm run build before packaging`);
    options.say?.(`web: no build in ${directory}; building it now (npm run build)`);
    await runBuild(directory, options.say);
  } else if (sources && newestSource() > statSync(serverEntry).mtimeMs) {
    options.say?.(`web: the build in ${directory} is older than the code in app/; building it again (npm run build)`);
    await runBuild(directory, options.say);
  }
  const build = (await import(pathToFileURL(serverEntry).href)) as ServerBuild;
  const client = join(directory, "client");
  return { build: async () => build, assets: (req, res) => serveStatic(client, req, res), close: async () => undefined };
}

/** The newest modification time among what goes into the build: app/ (minus generated clients) and vite.config.ts. */
function newestSource(): number {
  let newest = statSync(join(ROOT, "vite.config.ts")).mtimeMs;
  const walk = (directory: string) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "generated") walk(path);
      } else {
        newest = Math.max(newest, statSync(path).mtimeMs);
      }
    }
  };
  walk(join(ROOT, "app"));
  return newest;
}

/** Builds into `directory`, the one this process then loads (not whatever HOLDFAST_BUILD_DIR the shell has). */
function runBuild(directory: string, say: ((line: string) => void) | undefined): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, "node_modules", "@remix-run", "dev", "dist", "cli.js"), "vite:build"], {
      cwd: ROOT,
      env: { ...process.env, HOLDFAST_BUILD_DIR: directory },
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`remix vite:build exited with ${code}`));
      say?.(`web: built in ${Date.now() - started} ms`);
      resolve();
    });
  });
}

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};

/**
 * Files of the client build. `/assets/*` have content hashes in their names, so browsers and
 * CDNs may keep them for a year; anything else (favicon, robots.txt) for an hour.
 */
export async function serveStatic(directory: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  let pathname: string;
  try {
    pathname = decodeURIComponent((req.url ?? "/").split("?", 1)[0] as string);
  } catch {
    return false;
  }
  if (pathname.endsWith("/") || pathname.includes("\0") || pathname.split("/").some((segment) => segment.startsWith("."))) return false;
  const file = normalize(join(directory, pathname));
  if (!file.startsWith(directory + sep)) return false;
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) return false;
    size = stat.size;
  } catch {
    return false;
  }
  const immutable = pathname.startsWith("/assets/");
  res.writeHead(200, {
    "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
    "content-length": size,
    "cache-control": immutable ? "public, max-age=31536000, immutable" : "public, max-age=3600",
    "x-content-type-options": "nosniff",
  });
  if (req.method === "HEAD") {
    res.end();
    return true;
  }
  await new Promise<void>((resolve, reject) => {
    createReadStream(file).on("error", reject).pipe(res).on("finish", resolve).on("error", reject);
  });
  return true;
}
