-- AlterTable
ALTER TABLE "SaleItem" ADD COLUMN     "currency" TEXT,
ADD COLUMN     "priceMinor" INTEGER;

