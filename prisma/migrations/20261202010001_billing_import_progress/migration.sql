-- AlterTable
ALTER TABLE "CostImport" ADD COLUMN     "heartbeatAt" TIMESTAMP(3),
ADD COLUMN     "phase" TEXT;
