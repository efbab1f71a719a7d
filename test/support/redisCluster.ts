import { spawn, execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A private Redis Cluster of three masters (and their replicas, if asked) on free loopback ports, for tests. */
export interface TestCluster {
  seeds: string;
  /** Every node's port, masters and replicas (which is which changes on a failover: ask CLUSTER NODES). */
  ports: number[];
  /** Kills one node as a crash would (SIGKILL: no shutdown, no save). */
  kill: (port: number) => void;
  /** Starts a killed node again with its cluster config (it rejoins; a failed-over master comes back as a replica). */
  restart: (port: number) => Promise<void>;
  stop: () => Promise<void>;
}

export interface TestClusterOptions {
  /** Replicas per master (default 0). With replicas, a killed master's replica takes over. */
  replicas?: number;
  /** How long a master may be unreachable before its replica is promoted (Redis' default: 15 s). */
  nodeTimeoutMs?: number;
  /** Extra redis-server arguments for every node (e.g. `--appendonly yes`). */
  serverArgs?: string[];
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** Cluster nodes also listen on port + 10000 (the cluster bus), so both must be free. */
async function freeClusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if (!ports.includes(port) && (await portIsFree(port)) && (await portIsFree(port + 10_000))) ports.push(port);
  }
  return ports;
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const cli = (port: number, ...args: string[]) => run("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...args]);

const MASTERS = 3;

export async function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const replicas = options.replicas ?? 0;
  const dir = await mkdtemp(join(tmpdir(), "holdfast-cluster-"));
  const ports = await freeClusterPorts(MASTERS * (1 + replicas));
  const startNode = (port: number) =>
    spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        `nodes-${port}.conf`,
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
        "--protected-mode",
        "no",
        ...(options.nodeTimeoutMs === undefined ? [] : ["--cluster-node-timeout", String(options.nodeTimeoutMs)]),
        ...(options.serverArgs ?? []),
      ],
      { stdio: "ignore" },
    );
  const servers = ports.map(startNode);
  const stop = async () => {
    await Promise.all(ports.map((port) => cli(port, "shutdown", "nosave").catch(() => undefined)));
    for (const server of servers) server.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) await waitFor(async () => (await cli(port, "ping")).stdout.trim() === "PONG", `redis on ${port}`);
    await run("redis-cli", ["--cluster", "create", ...ports.map((p) => `127.0.0.1:${p}`), "--cluster-replicas", String(replicas), "--cluster-yes"]);
    for (const port of ports) {
      await waitFor(async () => (await cli(port, "cluster", "info")).stdout.includes("cluster_state:ok"), `cluster state on ${port}`);
    }
    // A replica that has not finished its first sync cannot take over yet.
    for (const port of replicas > 0 ? ports : []) {
      await waitFor(async () => {
        const info = (await cli(port, "info", "replication")).stdout;
        return info.includes("role:master") ? info.includes(`connected_slaves:${replicas}`) : info.includes("master_link_status:up");
      }, `replication on ${port}`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const kill = (port: number) => void servers[ports.indexOf(port)]?.kill("SIGKILL");
  const restart = async (port: number) => {
    servers[ports.indexOf(port)] = startNode(port);
    await waitFor(async () => (await cli(port, "ping")).stdout.trim() === "PONG", `redis on ${port}`);
  };
  return { seeds: ports.map((p) => `127.0.0.1:${p}`).join(","), ports, kill, restart, stop };
}
