-- AlterTable
ALTER TABLE "Order" ADD COLUMN "failureReason" TEXT;

-- CreateTable
CREATE TABLE "SaleRecovery" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "saleId" TEXT NOT NULL,
    "recoveredAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "holdsLost" INTEGER NOT NULL,
    "unitsHeldLost" INTEGER NOT NULL,
    "itemsJson" TEXT NOT NULL,
    "ordersPlaced" INTEGER NOT NULL,
    "ordersRequeued" INTEGER NOT NULL,
    "ordersFailed" INTEGER NOT NULL,
    CONSTRAINT "SaleRecovery_saleId_fkey" FOREIGN KEY ("saleId") REFERENCES "Sale" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Sale" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "storeId" TEXT,
    "name" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "prequeueAt" DATETIME,
    "startsAt" DATETIME,
    "endsAt" DATETIME,
    "holdMinutes" INTEGER NOT NULL,
    "perCustomerLimit" INTEGER NOT NULL,
    "admissionMode" TEXT NOT NULL DEFAULT 'off',
    "admissionPerMinute" INTEGER,
    "admissionMaxActive" INTEGER,
    "passMinutes" INTEGER,
    "bypassPolicy" TEXT NOT NULL DEFAULT 'flag',
    "failPolicy" TEXT NOT NULL DEFAULT 'auto',
    "holdsThroughStoreOnly" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Sale_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Sale" ("admissionMaxActive", "admissionMode", "admissionPerMinute", "bypassPolicy", "createdAt", "endsAt", "failPolicy", "holdMinutes", "id", "name", "passMinutes", "perCustomerLimit", "prequeueAt", "startsAt", "state", "storeId", "updatedAt") SELECT "admissionMaxActive", "admissionMode", "admissionPerMinute", "bypassPolicy", "createdAt", "endsAt", "failPolicy", "holdMinutes", "id", "name", "passMinutes", "perCustomerLimit", "prequeueAt", "startsAt", "state", "storeId", "updatedAt" FROM "Sale";
DROP TABLE "Sale";
ALTER TABLE "new_Sale" RENAME TO "Sale";
CREATE INDEX "Sale_storeId_idx" ON "Sale"("storeId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "SaleRecovery_saleId_recoveredAt_idx" ON "SaleRecovery"("saleId", "recoveredAt");

