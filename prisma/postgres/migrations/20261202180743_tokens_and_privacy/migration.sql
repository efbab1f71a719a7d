-- AlterTable
ALTER TABLE "Store" ADD COLUMN     "tokenRefusedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "PrivacyReport" (
    "id" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "customerRef" TEXT NOT NULL,
    "reportCiphertext" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PrivacyReport_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PrivacyReport_storeId_createdAt_idx" ON "PrivacyReport"("storeId", "createdAt");

-- AddForeignKey
ALTER TABLE "PrivacyReport" ADD CONSTRAINT "PrivacyReport_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

