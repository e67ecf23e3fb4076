-- CreateEnum
CREATE TYPE "PriceAdjustment" AS ENUM ('markup', 'discount');

-- DropForeignKey
ALTER TABLE "CostRecord" DROP CONSTRAINT "CostRecord_importId_fkey";

-- DropIndex
DROP INDEX "CostRecord_providerName_regionId_idx";

-- DropIndex
DROP INDEX "CostRecord_rowHash_key";

-- AlterTable
ALTER TABLE "CatalogTemplate" ADD COLUMN     "archivedAt" TIMESTAMP(3),
ADD COLUMN     "currentVersionId" TEXT,
ADD COLUMN     "maxLeaseDays" INTEGER;

-- AlterTable
ALTER TABLE "CostImport" ADD COLUMN     "fileSha256" TEXT,
ADD COLUMN     "finishedAt" TIMESTAMP(3),
ADD COLUMN     "message" TEXT,
ADD COLUMN     "periods" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "providerAccountId" TEXT,
ADD COLUMN     "rowsPerSecond" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "rowsRead" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "startedAt" TIMESTAMP(3),
ADD COLUMN     "status" TEXT NOT NULL DEFAULT 'queued';

-- AlterTable
ALTER TABLE "CostRecord" DROP CONSTRAINT "CostRecord_pkey",
DROP COLUMN "rowHash",
ADD COLUMN     "billingMonth" DATE NOT NULL,
ADD COLUMN     "commitmentDiscountCategory" TEXT,
ADD COLUMN     "commitmentDiscountName" TEXT,
ADD COLUMN     "commitmentDiscountQuantity" DECIMAL(65,30),
ADD COLUMN     "commitmentDiscountUnit" TEXT,
ADD COLUMN     "contractedUnitPrice" DECIMAL(65,30),
ADD COLUMN     "extra" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "hostProviderName" TEXT,
ADD COLUMN     "invoiceId" TEXT,
ADD COLUMN     "listUnitPrice" DECIMAL(65,30),
ADD COLUMN     "pricingCategory" TEXT,
ADD COLUMN     "scopeKey" TEXT NOT NULL,
ADD COLUMN     "serviceProviderName" TEXT,
ADD COLUMN     "serviceSubcategory" TEXT,
ALTER COLUMN "billedCost" SET DATA TYPE DECIMAL(65,30),
ALTER COLUMN "effectiveCost" SET DATA TYPE DECIMAL(65,30),
ALTER COLUMN "listCost" SET DATA TYPE DECIMAL(65,30),
ALTER COLUMN "contractedCost" SET DATA TYPE DECIMAL(65,30),
ALTER COLUMN "pricingQuantity" SET DATA TYPE DECIMAL(65,30),
ALTER COLUMN "consumedQuantity" SET DATA TYPE DECIMAL(65,30),
ADD CONSTRAINT "CostRecord_pkey" PRIMARY KEY ("id", "billingMonth", "scopeKey");

-- AlterTable
ALTER TABLE "TemplateMapping" ADD COLUMN     "instanceTypes" JSONB NOT NULL DEFAULT '{}';

-- CreateTable
CREATE TABLE "InstanceType" (
    "id" TEXT NOT NULL,
    "providerKind" "ProviderKind" NOT NULL,
    "regionCode" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "label" TEXT NOT NULL DEFAULT '',
    "vcpus" INTEGER NOT NULL,
    "memoryMiB" INTEGER NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "InstanceType_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PriceRule" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "adjustment" "PriceAdjustment" NOT NULL,
    "percent" DECIMAL(9,4) NOT NULL,
    "providerKind" "ProviderKind",
    "projectId" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PriceRule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CostDailyRollup" (
    "id" BIGSERIAL NOT NULL,
    "billingMonth" DATE NOT NULL,
    "scopeKey" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "lastDay" DATE NOT NULL,
    "providerName" TEXT NOT NULL,
    "billingCurrency" TEXT NOT NULL,
    "chargeCategory" TEXT NOT NULL,
    "region" TEXT,
    "projectId" TEXT,
    "serviceCategory" TEXT,
    "serviceName" TEXT,
    "subAccountId" TEXT,
    "subAccountName" TEXT,
    "billedCost" DECIMAL(65,30) NOT NULL,
    "effectiveCost" DECIMAL(65,30) NOT NULL,
    "rowCount" INTEGER NOT NULL,

    CONSTRAINT "CostDailyRollup_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "InstanceType_providerKind_name_idx" ON "InstanceType"("providerKind", "name");

-- CreateIndex
CREATE UNIQUE INDEX "InstanceType_providerKind_regionCode_name_key" ON "InstanceType"("providerKind", "regionCode", "name");

-- CreateIndex
CREATE INDEX "PriceRule_projectId_idx" ON "PriceRule"("projectId");

-- CreateIndex
CREATE INDEX "CostDailyRollup_day_idx" ON "CostDailyRollup"("day");

-- CreateIndex
CREATE INDEX "CostDailyRollup_projectId_day_idx" ON "CostDailyRollup"("projectId", "day");

-- CreateIndex
CREATE INDEX "CostDailyRollup_billingMonth_scopeKey_idx" ON "CostDailyRollup"("billingMonth", "scopeKey");

-- CreateIndex
CREATE UNIQUE INDEX "CatalogTemplate_currentVersionId_key" ON "CatalogTemplate"("currentVersionId");

-- CreateIndex
CREATE INDEX "CatalogTemplate_active_category_name_idx" ON "CatalogTemplate"("active", "category", "name");

-- CreateIndex
CREATE INDEX "CostImport_fileSha256_idx" ON "CostImport"("fileSha256");

-- CreateIndex
CREATE INDEX "CostImport_createdAt_idx" ON "CostImport"("createdAt");

-- CreateIndex
CREATE INDEX "CostRecord_resourceId_idx" ON "CostRecord"("resourceId");

-- AddForeignKey
ALTER TABLE "CatalogTemplate" ADD CONSTRAINT "CatalogTemplate_currentVersionId_fkey" FOREIGN KEY ("currentVersionId") REFERENCES "CatalogTemplateVersion"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PriceRule" ADD CONSTRAINT "PriceRule_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;
