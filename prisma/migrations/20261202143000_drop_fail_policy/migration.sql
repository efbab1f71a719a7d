-- AlterTable
ALTER TABLE "Sale" ADD COLUMN "failPolicy" TEXT NOT NULL DEFAULT 'auto';
