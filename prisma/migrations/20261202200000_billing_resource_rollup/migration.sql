-- CreateTable
CREATE TABLE "CostResourceRollup" (
    "id" BIGSERIAL NOT NULL,
    "billingMonth" DATE NOT NULL,
    "scopeKey" TEXT NOT NULL,
    "resourceKey" TEXT NOT NULL,
    "providerName" TEXT NOT NULL,
    "billingCurrency" TEXT NOT NULL,
    "chargeCategory" TEXT NOT NULL,
    "region" TEXT,
    "projectId" TEXT,
    "serviceCategory" TEXT,
    "serviceName" TEXT,
    "subAccountId" TEXT,
    "billedCost" DECIMAL(65,30) NOT NULL,
    "effectiveCost" DECIMAL(65,30) NOT NULL,
    "rowCount" INTEGER NOT NULL,

    CONSTRAINT "CostResourceRollup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CostResourceRollupLeaf" (
    "billingMonth" DATE NOT NULL,
    "scopeKey" TEXT NOT NULL,

    CONSTRAINT "CostResourceRollupLeaf_pkey" PRIMARY KEY ("billingMonth","scopeKey")
);

-- CreateIndex
CREATE INDEX "CostResourceRollup_billingMonth_scopeKey_resourceKey_idx" ON "CostResourceRollup"("billingMonth", "scopeKey", "resourceKey");
