import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig, type Plugin } from "vite";

/**
 * app/ is both Remix's app directory and the home of all server code (core, api, db,
 * platforms). Remix strips loaders and actions from the browser bundle, and refuses
 * `*.server.ts` modules there; this guard also refuses the server-only folders, so a route
 * that imports the engine outside a loader fails the build instead of shipping it.
 */
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

export default defineConfig({
  plugins: [
    remix({
      appDirectory: "app",
      buildDirectory: "build",
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
  ],
  build: { assetsInlineLimit: 0 },
  // The server is ours (app/server.ts); Vite runs in middleware mode inside it in development.
  server: { port: 3000 },
  logLevel: "warn",
});
