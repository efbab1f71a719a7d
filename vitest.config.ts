import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Most suites wait on Redis, SQL, child processes or Chromium, not on the CPU: on a
    // 2-core machine Vitest's default (cores - 1) would run them one file at a time.
    maxWorkers: 3,
    minWorkers: 1,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: "main", include: ["test/**/*.test.ts"], globalSetup: ["test/support/shopify/schema.setup.ts"] },
      },
      {
        // The Lua-backed suites again, on a private 3-master Redis Cluster.
        extends: true,
        test: {
          name: "cluster",
          include: ["test/core/inventory/**/*.test.ts", "test/core/waiting-room/**/*.test.ts", "test/**/*.cluster-test.ts"],
          globalSetup: ["test/support/redisCluster.setup.ts"],
        },
      },
    ],
  },
});
