-- AlterTable
ALTER TABLE "SaleItem" ADD COLUMN "currency" TEXT;
ALTER TABLE "SaleItem" ADD COLUMN "priceMinor" INTEGER;

