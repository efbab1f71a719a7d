// The drops the WooCommerce plugin gates: a store's scheduled and running sales with their
// items by WooCommerce ref.
import type { Db } from "./client.server.ts";
import type { ConnectorDrop } from "../core/sales/connectorDrop.ts";

/** A scheduled drop is gated too: its items cannot be bought around the queue before it opens. */
const GATED_STATES = ["scheduled", "prequeue", "live", "paused"];

export class PrismaConnectorCatalog {
  constructor(private readonly db: Db) {}

  async dropsOf(storeId: string): Promise<ConnectorDrop[]> {
    const rows = await this.db.sale.findMany({
      where: { storeId, state: { in: GATED_STATES }, store: { uninstalledAt: null } },
      select: {
        id: true,
        name: true,
        state: true,
        failPolicy: true,
        items: { where: { platformRef: { not: null } }, select: { id: true, platformRef: true }, orderBy: { position: "asc" } },
      },
      orderBy: { id: "asc" },
    });
    return rows.map((row) => ({
      sale: row.id,
      name: row.name,
      state: row.state,
      failPolicy: row.failPolicy,
      items: Object.fromEntries(row.items.map((item) => [item.platformRef as string, item.id])),
    }));
  }
}
