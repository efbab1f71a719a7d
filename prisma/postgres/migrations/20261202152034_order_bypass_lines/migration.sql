-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "bypassLinesJson" TEXT NOT NULL DEFAULT '[]',
ADD COLUMN     "oversoldLinesJson" TEXT NOT NULL DEFAULT '[]';

