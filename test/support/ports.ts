import { createServer, type AddressInfo } from "node:net";

/**
 * A loopback port nothing listens on: taken from the OS, then given back. For a server a test
 * starts itself (WordPress under `php -S`), or for a dependency that must not answer.
 */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
