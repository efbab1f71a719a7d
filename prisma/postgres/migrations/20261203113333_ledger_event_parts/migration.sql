-- DropIndex
DROP INDEX "LedgerEvent_saleId_streamId_key";

-- AlterTable
ALTER TABLE "LedgerEvent" ADD COLUMN     "part" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE UNIQUE INDEX "LedgerEvent_saleId_streamId_part_key" ON "LedgerEvent"("saleId", "streamId", "part");

