-- CreateTable
CREATE TABLE "WriteBackLog" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "saleId" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "items" INTEGER NOT NULL,
    "outcome" TEXT NOT NULL,
    "error" TEXT,
    "durationMs" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "WriteBackLog_saleId_createdAt_idx" ON "WriteBackLog"("saleId", "createdAt");

-- CreateIndex
CREATE INDEX "WriteBackLog_createdAt_idx" ON "WriteBackLog"("createdAt");

