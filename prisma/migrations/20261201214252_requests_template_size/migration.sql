-- AlterTable
ALTER TABLE "RequestItem" ADD COLUMN     "templateSize" TEXT;
