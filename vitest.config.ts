import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
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
