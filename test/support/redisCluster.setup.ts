import type { TestProject } from "vitest/node";

import { startTestCluster } from "./redisCluster.ts";

/** Global setup of the `cluster` project: the suites it runs see the cluster's seeds. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startTestCluster();
  project.provide("redisClusterNodes", cluster.seeds);
  return cluster.stop;
}
