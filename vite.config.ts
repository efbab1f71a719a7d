import { createRequire } from "node:module";
import { relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig, type Plugin } from "vite";

/**
 * app/ is both Remix's app directory and the home of all server code (core, api, db,
 * platforms). Remix strips loaders and actions from the browser bundle, and refuses
 * `*.server.ts` modules there; this guard also refuses the server-only folders, so a route
 * that imports the engine outside a loader fails the build instead of shipping it.
 */
const ROOT = fileURLToPath(new URL(".", import.meta.url));
/** Where `remix vite:build` writes; tests build into a directory of their own. */
const BUILD_DIRECTORY = process.env.HOLDFAST_BUILD_DIR ?? "build";

const SERVER_ONLY = /\/app\/(core|api|db|platforms|generated)\/|\/app\/[^/]+\.server\.tsx?$|\/prisma\//;

function serverOnlyGuard(): Plugin {
  return {
    name: "holdfast:server-only-guard",
    enforce: "pre",
    load(id, options) {
      if (options?.ssr) return null;
      if (SERVER_ONLY.test(id.split("?", 1)[0] as string)) {
        throw new Error(`${id} is server-only code and must not reach the browser bundle; import it from a loader/action or a *.server.ts module`);
      }
      return null;
    },
  };
}

/**
 * The generated Prisma clients (app/generated/, CommonJS) must be loaded by Node, not
 * evaluated by Vite as ES modules (which fails in development and duplicates them in the
 * build). Server code gets a small ES module in their place that requires the real file.
 */
function prismaClientsFromNode(): Plugin {
  let isBuild = false;
  return {
    name: "holdfast:prisma-clients-from-node",
    enforce: "pre",
    configResolved(config) {
      isBuild = config.command === "build";
    },
    load(id, options) {
      const file = id.split("?", 1)[0] as string;
      if (!options?.ssr || !/\/app\/generated\/prisma-[a-z]+\/index\.js$/.test(file)) return null;
      const names = Object.keys(createRequire(import.meta.url)(file) as object).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name) && name !== "default");
      // The build's server bundle sits in <build>/server/ and requires the client relative to itself.
      const target = isBuild ? relative(resolve(ROOT, BUILD_DIRECTORY, "server"), file) : file;
      return [
        `import { createRequire } from "node:module";`,
        `const client = createRequire(import.meta.url)(${JSON.stringify(target)});`,
        `export default client;`,
        ...names.map((name) => `export const ${name} = client.${name};`),
      ].join("\n");
    },
  };
}

export default defineConfig({
  plugins: [
    remix({
      appDirectory: "app",
      buildDirectory: BUILD_DIRECTORY,
      // Only app/routes/** are routes (the flat-routes convention); tests and dotfiles never are.
      ignoredRouteFiles: ["**/.*", "**/*.test.*", "**/*.d.ts"],
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_lazyRouteDiscovery: true,
        v3_singleFetch: false,
      },
    }),
    serverOnlyGuard(),
    prismaClientsFromNode(),
  ],
  build: { assetsInlineLimit: 0 },
  // Vite pre-bundles the browser's dependencies once, from what it finds by scanning these
  // files at start. Without them it found Polaris and the rest only when the first page was
  // requested, re-bundled, and the page already loading held two copies of React (a blank
  // console and "Invalid hook call" on the first visit after a fresh start, issue #14).
  optimizeDeps: { entries: ["app/entry.client.tsx", "app/root.tsx", "app/routes/**/*.tsx"] },
  // Pre-bundled dependencies; a browser test gives its server a directory of its own (under
  // node_modules/, the only dependency path the server hands to Vite), so another process
  // re-bundling the shared one cannot swap modules under its pages.
  cacheDir: process.env.HOLDFAST_VITE_CACHE_DIR ?? "node_modules/.vite",
  // The server is ours (app/server.ts); Vite runs in middleware mode inside it in development.
  server: { port: 3000 },
  logLevel: "warn",
});
