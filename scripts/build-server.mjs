#!/usr/bin/env node
// The ahead-of-time build of the server, the worker and the CLI (npm run build runs it after
// `remix vite:build`), so production starts with plain `node` and no TypeScript compiler.
//
//   node scripts/build-server.mjs
//       bundles app/main.ts, app/worker.ts and app/cli.ts into dist/main.js, dist/worker.js
//       and dist/cli.js (ES modules for Node 20+, every npm package left to node_modules).
//
//   node scripts/build-server.mjs --out <dir>
//       the same bundles into <dir>/dist, plus every file the compiled server reads at run
//       time, at the same paths as in the repository: package.json, the Remix build (build/),
//       the non-TypeScript files of app/ (Lua scripts, the generated Prisma clients, the demo
//       store's assets), prisma/ (schema and both migration histories) and the waiting-room
//       widget. <dir> plus a production node_modules is the whole image (deploy/Dockerfile).
//
// Modules find their files from their own address (`new URL("./lua/", import.meta.url)`,
// the repository root two folders up). In a bundle every module would share the bundle's
// address, so each module's `import.meta.url` is replaced by the address its source file
// has relative to dist/: the files stay where they are in the repository, and nothing is
// resolved from the current directory.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { build } from "esbuild";

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const ENTRY_POINTS = ["main", "worker", "cli"];

/** Read from disk at run time, never bundled: the generated Prisma clients (CommonJS, with a WebAssembly file next to them). */
const GENERATED_CLIENT = /\/generated\/prisma-[a-z]+\/index\.js$/;

function relativeImport(from, file) {
  const relative = path.relative(from, file).split(path.sep).join("/");
  return relative.startsWith(".") ? relative : `./${relative}`;
}

/** Keeps every module's own address, so the paths it builds from import.meta.url hold in the bundle. */
function sourceAddresses(outdir) {
  const entries = new Set(ENTRY_POINTS.map((name) => path.join(ROOT, "app", `${name}.ts`)));
  return {
    name: "holdfast:source-addresses",
    setup(esbuild) {
      esbuild.onResolve({ filter: GENERATED_CLIENT }, (args) => ({
        path: relativeImport(outdir, path.resolve(args.resolveDir, args.path)),
        external: true,
      }));
      esbuild.onLoad({ filter: /\.tsx?$/ }, (args) => {
        const source = readFileSync(args.path, "utf8");
        const loader = args.path.endsWith(".tsx") ? "tsx" : "ts";
        // An entry point keeps the bundle's own address: the CLI compares it with process.argv[1]
        // to know it was started rather than imported.
        if (entries.has(args.path) || !source.includes("import.meta.url")) return { contents: source, loader };
        const address = `new URL(${JSON.stringify(relativeImport(outdir, args.path))}, import.meta.url).href`;
        return { contents: source.replaceAll("import.meta.url", address), loader };
      });
    },
  };
}

export async function buildServer(root) {
  const outdir = path.join(root, "dist");
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: ENTRY_POINTS.map((name) => path.join(ROOT, "app", `${name}.ts`)),
    outdir,
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: true,
    logLevel: "warning",
    // Modules are placed relative to the source tree, which dist/ mirrors in --out folders too.
    plugins: [sourceAddresses(path.join(ROOT, "dist"))],
  });
}

/** The files the compiled server reads at run time, at their repository paths. */
function copyRuntimeFiles(out) {
  const copy = (relative, filter) => cpSync(path.join(ROOT, relative), path.join(out, relative), { recursive: true, dereference: true, filter });
  copy("package.json");
  const build = path.join(ROOT, "build");
  if (existsSync(build)) copy("build");
  copy("app", (source) => isDirectory(source) || !/\.tsx?$/.test(source));
  // Development files next to the default SQLite database never ship.
  copy("prisma", (source) => !/\.db(-journal)?$|\/\.holdfast-/.test(source));
  copy("prisma.config.ts");
  copy("extensions/waiting-room/assets");
  copy("extensions/waiting-room/locales");
}

const isDirectory = (source) => statSync(source).isDirectory();

async function run(argv) {
  const at = argv.indexOf("--out");
  const out = at === -1 ? ROOT : path.resolve(argv[at + 1] ?? "");
  if (at !== -1 && argv[at + 1] === undefined) throw new Error("--out needs a folder");
  const started = Date.now();
  mkdirSync(out, { recursive: true });
  await buildServer(out);
  if (out !== ROOT) copyRuntimeFiles(out);
  process.stdout.write(
    `built ${ENTRY_POINTS.map((name) => `dist/${name}.js`).join(", ")} in ${Date.now() - started} ms${out === ROOT ? "" : ` (runtime files in ${out})`}\n`,
  );
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  run(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`build-server: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
