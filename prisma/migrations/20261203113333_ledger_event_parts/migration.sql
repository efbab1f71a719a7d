-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_LedgerEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "saleId" TEXT NOT NULL,
    "streamId" TEXT NOT NULL,
    "part" INTEGER NOT NULL DEFAULT 0,
    "type" TEXT NOT NULL,
    "holdId" TEXT,
    "orderRef" TEXT,
    "customerRef" TEXT,
    "linesJson" TEXT NOT NULL,
    "occurredAt" DATETIME NOT NULL,
    CONSTRAINT "LedgerEvent_saleId_fkey" FOREIGN KEY ("saleId") REFERENCES "Sale" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_LedgerEvent" ("customerRef", "holdId", "id", "linesJson", "occurredAt", "orderRef", "saleId", "streamId", "type") SELECT "customerRef", "holdId", "id", "linesJson", "occurredAt", "orderRef", "saleId", "streamId", "type" FROM "LedgerEvent";
DROP TABLE "LedgerEvent";
ALTER TABLE "new_LedgerEvent" RENAME TO "LedgerEvent";
CREATE INDEX "LedgerEvent_saleId_occurredAt_idx" ON "LedgerEvent"("saleId", "occurredAt");
CREATE UNIQUE INDEX "LedgerEvent_saleId_streamId_part_key" ON "LedgerEvent"("saleId", "streamId", "part");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

