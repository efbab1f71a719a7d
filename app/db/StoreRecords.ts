// Every SQL statement about stores and their shops: the store directory, keyrings, origins,
// installs and the privacy webhooks read and write stores only through this class.
import { randomUUID } from "node:crypto";

import { isUniqueViolation, type Db } from "./client.server.ts";

/** Sales that still take shoppers or orders. */
const RUNNING_STATES = ["scheduled", "prequeue", "live", "paused"];

export interface StoreCredentialRow {
  platform: string;
  domain: string;
  credentialsCiphertext: string | null;
  uninstalledAt: Date | null;
  /** Shopify refused to refresh the store's token; cleared by new credentials. */
  tokenRefusedAt: Date | null;
}

export interface CustomerOrderRow {
  saleId: string;
  platformOrderRef: string;
  status: string;
  linesJson: string;
  createdAt: Date;
}

export class StoreRecords {
  constructor(private readonly db: Db) {}

  /** Creates the store (matched by platform and domain) or renames it and marks it installed again; returns its id. */
  async upsert(platform: string, domain: string, name: string): Promise<string> {
    const row = await this.db.store.upsert({
      where: { platform_domain: { platform, domain } },
      create: { id: `st_${randomUUID().replaceAll("-", "")}`, platform, domain, name },
      update: { name, uninstalledAt: null },
      select: { id: true },
    });
    return row.id;
  }

  /**
   * The store of a platform domain, made with the domain as its name when missing (two first
   * requests make one row). Not an upsert: on SQLite Prisma runs one as a transaction that reads
   * and then writes, and two processes doing that at once deadlock, which SQLite ends at once with
   * SQLITE_BUSY for one of them (the busy timeout does not apply). A lone write waits its turn.
   */
  async ensure(platform: string, domain: string, name: string = domain): Promise<string> {
    const where = { platform_domain: { platform, domain } };
    const found = await this.db.store.findUnique({ where, select: { id: true } });
    if (found) return found.id;
    try {
      return (await this.db.store.create({ data: { platform, domain, name }, select: { id: true } })).id;
    } catch (error) {
      // Another process made it between the read and the write: theirs is the one.
      if (!isUniqueViolation(error)) throw error;
      return (await this.db.store.findUniqueOrThrow({ where, select: { id: true } })).id;
    }
  }

  /** New credentials: a refused token refresh is over (the new ones get their own chance). */
  async setCredentials(storeId: string, ciphertext: string): Promise<void> {
    await this.db.store.update({ where: { id: storeId }, data: { credentialsCiphertext: ciphertext, tokenRefusedAt: null } });
  }

  async credentials(storeId: string): Promise<StoreCredentialRow | null> {
    return this.db.store.findUnique({
      where: { id: storeId },
      select: { platform: true, domain: true, credentialsCiphertext: true, uninstalledAt: true, tokenRefusedAt: true },
    });
  }

  /** Shopify refused to refresh the store's token: it waits for the merchant to open the app again. */
  async markTokenRefused(storeId: string): Promise<void> {
    await this.db.store.updateMany({ where: { id: storeId, tokenRefusedAt: null }, data: { tokenRefusedAt: new Date() } });
  }

  /** When Shopify refused to refresh the token of the store of `saleId` (null: it did not, or no store). */
  async tokenRefusedAtOfSale(saleId: string): Promise<Date | null> {
    const sale = await this.db.sale.findUnique({ where: { id: saleId }, select: { store: { select: { tokenRefusedAt: true } } } });
    return sale?.store?.tokenRefusedAt ?? null;
  }

  async markUninstalled(storeId: string): Promise<void> {
    await this.db.store.updateMany({ where: { id: storeId }, data: { uninstalledAt: new Date() } });
  }

  async byDomain(platform: string, domain: string): Promise<{ id: string; uninstalledAt: Date | null } | null> {
    return this.db.store.findUnique({ where: { platform_domain: { platform, domain: domain.toLowerCase() } }, select: { id: true, uninstalledAt: true } });
  }

  /** The store's domain while it is installed, else null. */
  async installedDomain(storeId: string): Promise<string | null> {
    const store = await this.db.store.findUnique({ where: { id: storeId }, select: { domain: true, uninstalledAt: true } });
    return store && !store.uninstalledAt ? store.domain.toLowerCase() : null;
  }

  /** Which platform a store is on, and its domain (the admin pages' "put it on your store" panel). */
  async platformOf(storeId: string): Promise<{ platform: string; domain: string } | null> {
    return this.db.store.findUnique({ where: { id: storeId }, select: { platform: true, domain: true } });
  }

  /** The sealed signing keys of a store (null: none yet); throws when the store does not exist. */
  async signingKeys(storeId: string): Promise<string | null> {
    const store = await this.db.store.findUnique({ where: { id: storeId }, select: { signingKeysCiphertext: true } });
    if (!store) throw new Error(`store ${storeId} does not exist`);
    return store.signingKeysCiphertext;
  }

  /** Stores sealed keys unless the store has some already: only the first writer's keys count, so processes starting together agree. */
  async setSigningKeysIfNone(storeId: string, ciphertext: string): Promise<void> {
    await this.db.store.updateMany({ where: { id: storeId, signingKeysCiphertext: null }, data: { signingKeysCiphertext: ciphertext } });
  }

  async deleteSessionsOfShop(shop: string): Promise<void> {
    await this.db.session.deleteMany({ where: { shop } });
  }

  /** The scopes a stored session was granted; false when there is no such session. */
  async setSessionScope(sessionId: string, scope: string): Promise<boolean> {
    const { count } = await this.db.session.updateMany({ where: { id: sessionId }, data: { scope } });
    return count > 0;
  }

  async runningSaleIds(storeId: string): Promise<string[]> {
    const rows = await this.db.sale.findMany({ where: { storeId, state: { in: RUNNING_STATES } }, select: { id: true } });
    return rows.map((row) => row.id);
  }

  /** Every sale of the store, running or ended. */
  async saleIds(storeId: string): Promise<string[]> {
    const rows = await this.db.sale.findMany({ where: { storeId }, select: { id: true } });
    return rows.map((row) => row.id);
  }

  /** Keeps a customers/data_request report (sealed by the caller) for the merchant to download. */
  async addPrivacyReport(storeId: string, customerRef: string, ciphertext: string): Promise<string> {
    const id = `pr_${randomUUID().replaceAll("-", "")}`;
    await this.db.privacyReport.create({ data: { id, storeId, customerRef, reportCiphertext: ciphertext } });
    return id;
  }

  async privacyReports(storeId: string): Promise<{ id: string; customerRef: string; createdAt: Date }[]> {
    return this.db.privacyReport.findMany({
      where: { storeId },
      select: { id: true, customerRef: true, createdAt: true },
      orderBy: { createdAt: "desc" },
      take: 100,
    });
  }

  async privacyReport(storeId: string, id: string): Promise<{ customerRef: string; ciphertext: string; createdAt: Date } | null> {
    const row = await this.db.privacyReport.findFirst({ where: { id, storeId }, select: { customerRef: true, reportCiphertext: true, createdAt: true } });
    return row && { customerRef: row.customerRef, ciphertext: row.reportCiphertext, createdAt: row.createdAt };
  }

  async customerOrders(storeId: string, customerRef: string, orderRefs: string[]): Promise<CustomerOrderRow[]> {
    return this.db.order.findMany({
      where: { sale: { storeId }, OR: [{ customerRef }, { platformOrderRef: { in: orderRefs } }] },
      select: { saleId: true, platformOrderRef: true, status: true, linesJson: true, createdAt: true },
      orderBy: { createdAt: "asc" },
    });
  }

  async customerLedgerEntries(storeId: string, customerRef: string): Promise<number> {
    return this.db.ledgerEvent.count({ where: { sale: { storeId }, customerRef } });
  }

  /** Removes the customer's reference from the store's orders and ledger; the counts stay. */
  async forgetCustomer(storeId: string, customerRef: string, orderRefs: string[]): Promise<{ orders: number; ledgerEntries: number }> {
    const orders = await this.db.order.updateMany({
      where: { sale: { storeId }, OR: [{ customerRef }, { platformOrderRef: { in: orderRefs } }] },
      data: { customerRef: null },
    });
    const ledger = await this.db.ledgerEvent.updateMany({ where: { sale: { storeId }, customerRef }, data: { customerRef: null } });
    // The reports made for the customer's data requests name them too.
    await this.db.privacyReport.deleteMany({ where: { storeId, customerRef } });
    return { orders: orders.count, ledgerEntries: ledger.count };
  }

  /** Every row of the store, the store last, in one transaction; returns the erased sale ids. */
  async erase(storeId: string): Promise<string[]> {
    const sales = (await this.db.sale.findMany({ where: { storeId }, select: { id: true } })).map((sale) => sale.id);
    await this.db.$transaction([
      this.db.ledgerEvent.deleteMany({ where: { saleId: { in: sales } } }),
      this.db.order.deleteMany({ where: { saleId: { in: sales } } }),
      this.db.saleItem.deleteMany({ where: { saleId: { in: sales } } }),
      this.db.sale.deleteMany({ where: { id: { in: sales } } }),
      this.db.privacyReport.deleteMany({ where: { storeId } }),
      this.db.store.delete({ where: { id: storeId } }),
    ]);
    return sales;
  }
}
