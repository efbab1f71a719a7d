-- AlterTable
ALTER TABLE "Store" ADD COLUMN "tokenRefusedAt" DATETIME;

-- CreateTable
CREATE TABLE "PrivacyReport" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "storeId" TEXT NOT NULL,
    "customerRef" TEXT NOT NULL,
    "reportCiphertext" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "PrivacyReport_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "PrivacyReport_storeId_createdAt_idx" ON "PrivacyReport"("storeId", "createdAt");

