import { createServer, connect, type AddressInfo, type Server, type Socket } from "node:net";

/**
 * A TCP proxy in front of the test Redis that a test can break on purpose: `cut()` drops every
 * connection and refuses new ones until `restore()` (Redis down), `pause()` keeps connections
 * open but forwards nothing until `restore()` (Redis hung: commands wait, nothing answers).
 * Paused bytes are held, not dropped, so the Redis protocol stays in step after a resume.
 * `delayMs` holds every command on its way to Redis that long (a process far from Redis),
 * in order; replies come back at once.
 */
export class RedisProxy {
  private mode: "open" | "cut" | "paused" = "open";
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly delayMs: number,
  ) {}

  static async start(upstream: { host: string; port: number } = { host: "127.0.0.1", port: 6379 }, options: { delayMs?: number } = {}): Promise<RedisProxy> {
    let proxy: RedisProxy | null = null;
    const server = createServer((client) => proxy?.accept(client, upstream));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    proxy = new RedisProxy(server, (server.address() as AddressInfo).port, options.delayMs ?? 0);
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Connections currently piped to Redis. */
  get connections(): number {
    return this.pairs.size;
  }

  cut(): void {
    this.mode = "cut";
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    this.pairs.clear();
  }

  pause(): void {
    this.mode = "paused";
    for (const { client, upstream } of this.pairs) {
      client.pause();
      upstream.pause();
    }
  }

  restore(): void {
    this.mode = "open";
    for (const { client, upstream } of this.pairs) {
      client.resume();
      upstream.resume();
    }
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, target: { host: string; port: number }): void {
    if (this.mode === "cut") {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    const pair = { client, upstream };
    this.pairs.add(pair);
    const drop = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    if (this.delayMs > 0) client.on("data", (chunk: Buffer) => setTimeout(() => upstream.write(chunk), this.delayMs));
    else client.pipe(upstream);
    upstream.pipe(client);
    if (this.mode === "paused") {
      client.pause();
      upstream.pause();
    }
  }
}
