-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Order" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "saleId" TEXT NOT NULL,
    "platformOrderRef" TEXT NOT NULL,
    "holdId" TEXT,
    "status" TEXT NOT NULL,
    "customerRef" TEXT,
    "linesJson" TEXT NOT NULL,
    "bypass" BOOLEAN NOT NULL DEFAULT false,
    "bypassLinesJson" TEXT NOT NULL DEFAULT '[]',
    "oversoldLinesJson" TEXT NOT NULL DEFAULT '[]',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Order_saleId_fkey" FOREIGN KEY ("saleId") REFERENCES "Sale" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_Order" ("bypass", "createdAt", "customerRef", "holdId", "id", "linesJson", "platformOrderRef", "saleId", "status", "updatedAt") SELECT "bypass", "createdAt", "customerRef", "holdId", "id", "linesJson", "platformOrderRef", "saleId", "status", "updatedAt" FROM "Order";
DROP TABLE "Order";
ALTER TABLE "new_Order" RENAME TO "Order";
CREATE UNIQUE INDEX "Order_saleId_platformOrderRef_key" ON "Order"("saleId", "platformOrderRef");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

