-- AlterTable
ALTER TABLE "Sale" ADD COLUMN     "holdsThroughStoreOnly" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "failureReason" TEXT;

-- CreateTable
CREATE TABLE "SaleRecovery" (
    "id" SERIAL NOT NULL,
    "saleId" TEXT NOT NULL,
    "recoveredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "holdsLost" INTEGER NOT NULL,
    "unitsHeldLost" INTEGER NOT NULL,
    "itemsJson" TEXT NOT NULL,
    "ordersPlaced" INTEGER NOT NULL,
    "ordersRequeued" INTEGER NOT NULL,
    "ordersFailed" INTEGER NOT NULL,

    CONSTRAINT "SaleRecovery_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SaleRecovery_saleId_recoveredAt_idx" ON "SaleRecovery"("saleId", "recoveredAt");

-- AddForeignKey
ALTER TABLE "SaleRecovery" ADD CONSTRAINT "SaleRecovery_saleId_fkey" FOREIGN KEY ("saleId") REFERENCES "Sale"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

