import mysql from "mysql2/promise";

import { cpuSecondsOfCommand } from "../lib/cpu.ts";
import { PROBE_ALLOCATION, type BenchContext, type InProcessSystem, type ProbeState } from "./types.ts";

const DEFAULT_URL = "mysql://root@127.0.0.1:3306/";
const THROUGHPUT_STOCK = 1_000_000_000;
const HOT_PRODUCT = 101;
const PROBE_PRODUCT = 102;
const HOLD_MINUTES = 60; // woocommerce_hold_stock_minutes default

/**
 * WooCommerce-style reservation, written from its description: the product's stock comes
 * from a postmeta-like table (row locked), minus the unexpired reservations (locked too),
 * must cover the quantity, else nothing is inserted. One transaction per reservation.
 */
const RESERVE_SQL = `INSERT INTO wc_reserved_stock (order_id, product_id, stock_quantity, \`timestamp\`, expires)
SELECT ?, ?, ?, NOW(), NOW() + INTERVAL ${HOLD_MINUTES} MINUTE FROM DUAL
WHERE (SELECT CAST(meta_value AS DECIMAL(20, 0)) FROM postmeta WHERE post_id = ? AND meta_key = '_stock' FOR UPDATE)
    - (SELECT COALESCE(SUM(stock_quantity), 0) FROM wc_reserved_stock WHERE product_id = ? AND expires > NOW() FOR UPDATE)
    >= ?`;

/** Deadlock and lock wait timeout: WooCommerce reports these as a failed reservation. */
const TRANSIENT_ERRNOS = new Set([1213, 1205]);

/** System 4: WooCommerce's ReserveStock shape on MariaDB/InnoDB through a mysql2 pool. */
export function mariaDbSystem(context: BenchContext): InProcessSystem {
  const url = new URL(process.env.BENCH_MYSQL_URL?.trim() || DEFAULT_URL);
  const connection = {
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username || "root"),
    password: decodeURIComponent(url.password),
  };
  const database = `holdfast_bench_${context.runId}`;
  let pool: mysql.Pool | null = null;
  let nextOrderId = 1;

  const reserve = async (product: number): Promise<boolean> => {
    const orderId = nextOrderId++;
    const conn = await pool!.getConnection();
    try {
      await conn.query("START TRANSACTION");
      const [result] = await conn.execute<mysql.ResultSetHeader>(RESERVE_SQL, [orderId, product, 1, product, product, 1]);
      await conn.query("COMMIT");
      return result.affectedRows === 1;
    } catch (error) {
      await conn.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      conn.release();
    }
  };

  return {
    kind: "in-process",
    name: "mariadb-woocommerce-reservestock",
    description: `MariaDB/InnoDB: WooCommerce ReserveStock shape, INSERT INTO wc_reserved_stock ... SELECT ... WHERE (stock FOR UPDATE) - (SUM unexpired reservations FOR UPDATE) >= qty, in a transaction, mysql2 pool of ${context.poolSize}`,
    async setup() {
      const admin = await mysql.createConnection({ ...connection, connectTimeout: 10_000 });
      context.cleanup.add("close MariaDB admin connection", () => admin.end());
      await admin.query(`CREATE DATABASE ${database} CHARACTER SET utf8mb4`);
      context.cleanup.add(`drop MariaDB database ${database}`, () => admin.query(`DROP DATABASE IF EXISTS ${database}`));
      const [variables] = await admin.query<mysql.RowDataPacket[]>(
        "SHOW VARIABLES WHERE Variable_name IN ('version', 'max_connections', 'innodb_flush_log_at_trx_commit', 'sync_binlog', 'log_bin', 'transaction_isolation', 'tx_isolation', 'innodb_buffer_pool_size', 'innodb_lock_wait_timeout')",
      );

      const created = mysql.createPool({
        ...connection,
        database,
        connectionLimit: context.poolSize,
        waitForConnections: true,
        queueLimit: 0,
        connectTimeout: 10_000,
      });
      pool = created;
      context.cleanup.add("close MariaDB pool", () => created.end());
      await created.query(`CREATE TABLE postmeta (
        meta_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
        post_id BIGINT UNSIGNED NOT NULL DEFAULT 0,
        meta_key VARCHAR(255) NULL,
        meta_value LONGTEXT NULL,
        PRIMARY KEY (meta_id),
        KEY post_id (post_id),
        KEY meta_key (meta_key(191))
      ) ENGINE=InnoDB`);
      await created.query(`CREATE TABLE wc_reserved_stock (
        order_id BIGINT NOT NULL,
        product_id BIGINT NOT NULL,
        stock_quantity DOUBLE NOT NULL DEFAULT 0,
        \`timestamp\` DATETIME NOT NULL,
        expires DATETIME NOT NULL,
        PRIMARY KEY (order_id, product_id)
      ) ENGINE=InnoDB`);
      for (const [product, stock] of [
        [HOT_PRODUCT, THROUGHPUT_STOCK],
        [PROBE_PRODUCT, PROBE_ALLOCATION],
      ] as const) {
        // A product carries several meta rows, as in wp_postmeta.
        await created.query(
          "INSERT INTO postmeta (post_id, meta_key, meta_value) VALUES (?, '_sku', ?), (?, '_manage_stock', 'yes'), (?, '_stock', ?), (?, '_stock_status', 'instock')",
          [product, `SKU-${product}`, product, product, String(stock), product],
        );
      }
      return {
        database,
        variables: Object.fromEntries(variables.map((row) => [String(row.Variable_name), String(row.Value)])),
        poolSize: context.poolSize,
        holdMinutes: HOLD_MINUTES,
        throughputStock: THROUGHPUT_STOCK,
        sql: RESERVE_SQL.replace(/\s+/g, " "),
        note: "wc_reserved_stock has only PRIMARY KEY (order_id, product_id), so the SUM scans (and locks) every reservation: each hold costs more than the previous one (see perSecond); every round starts from an empty table",
      };
    },
    async beforeTimed() {
      // A real sale cannot hold more reservations than it has stock; the timed windows make
      // thousands, so each round starts from an empty table, as the first one does.
      const [rows] = await pool!.query<mysql.RowDataPacket[]>("SELECT COUNT(*) AS n FROM wc_reserved_stock WHERE product_id = ?", [HOT_PRODUCT]);
      await pool!.query("DELETE FROM wc_reserved_stock WHERE product_id = ?", [HOT_PRODUCT]);
      return { reservationsRemoved: Number(rows[0]?.n ?? 0) };
    },
    throughputOp: () => reserve(HOT_PRODUCT),
    probeOp: () => reserve(PROBE_PRODUCT),
    async readProbeState(successes): Promise<ProbeState> {
      const [rows] = await pool!.query<mysql.RowDataPacket[]>(
        `SELECT CAST(m.meta_value AS DECIMAL(20, 0)) AS stock,
                (SELECT COALESCE(SUM(stock_quantity), 0) FROM wc_reserved_stock WHERE product_id = ? AND expires > NOW()) AS reserved,
                (SELECT COUNT(*) FROM wc_reserved_stock WHERE product_id = ?) AS reservations
           FROM postmeta m WHERE m.post_id = ? AND m.meta_key = '_stock'`,
        [PROBE_PRODUCT, PROBE_PRODUCT, PROBE_PRODUCT],
      );
      const row = rows[0];
      const stock = Number(row?.stock);
      const reserved = Number(row?.reserved);
      const final = stock - reserved;
      return {
        finalCounter: final,
        consistent: final >= 0 && reserved === successes && Number(row?.reservations) === successes,
        detail: { stock, reserved, reservations: Number(row?.reservations), availableAfter: final },
      };
    },
    isTransient: (error) => TRANSIENT_ERRNOS.has(Number((error as { errno?: unknown }).errno)),
    serverCpuSeconds: async () => cpuSecondsOfCommand(/^(mariadbd|mysqld)$/),
  };
}
