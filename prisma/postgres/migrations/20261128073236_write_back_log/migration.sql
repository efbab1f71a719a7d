-- CreateTable
CREATE TABLE "WriteBackLog" (
    "id" SERIAL NOT NULL,
    "saleId" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "items" INTEGER NOT NULL,
    "outcome" TEXT NOT NULL,
    "error" TEXT,
    "durationMs" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WriteBackLog_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WriteBackLog_saleId_createdAt_idx" ON "WriteBackLog"("saleId", "createdAt");

-- CreateIndex
CREATE INDEX "WriteBackLog_createdAt_idx" ON "WriteBackLog"("createdAt");

