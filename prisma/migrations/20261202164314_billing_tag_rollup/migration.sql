-- CreateTable
CREATE TABLE "CostTagRollup" (
    "id" BIGSERIAL NOT NULL,
    "billingMonth" DATE NOT NULL,
    "scopeKey" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "lastDay" DATE NOT NULL,
    "tagKey" TEXT NOT NULL,
    "tagValue" TEXT NOT NULL,
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

    CONSTRAINT "CostTagRollup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CostTagRollupKey" (
    "billingMonth" DATE NOT NULL,
    "scopeKey" TEXT NOT NULL,
    "tagKey" TEXT NOT NULL,

    CONSTRAINT "CostTagRollupKey_pkey" PRIMARY KEY ("billingMonth","scopeKey","tagKey")
);

-- CreateIndex
CREATE INDEX "CostTagRollup_billingMonth_scopeKey_idx" ON "CostTagRollup"("billingMonth", "scopeKey");

-- CreateIndex
CREATE INDEX "CostTagRollup_tagKey_day_idx" ON "CostTagRollup"("tagKey", "day");
