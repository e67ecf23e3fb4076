-- billing: hand-written. CostRecord becomes a partitioned table: by RANGE of "billingMonth", and each
-- month by LIST of "scopeKey" (provider + billing account). Re-importing one account's billing period
-- then swaps one leaf partition (lib/billing/partitions.ts creates month and leaf partitions on demand).
-- Prisma cannot express partitioning; the column set, primary key, indexes and foreign keys below are
-- exactly those of prisma/schema.prisma, so `db:migrate:check` stays clean.
-- Nothing wrote CostRecord before the importer existed; refuse rather than silently drop rows.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM "CostRecord") THEN
    RAISE EXCEPTION 'CostRecord has rows; export them and re-import after this migration';
  END IF;
END $$;

CREATE TABLE "CostRecord_partitioned" (LIKE "CostRecord" INCLUDING DEFAULTS) PARTITION BY RANGE ("billingMonth");
DROP TABLE "CostRecord";
ALTER TABLE "CostRecord_partitioned" RENAME TO "CostRecord";

ALTER TABLE "CostRecord" ADD CONSTRAINT "CostRecord_pkey" PRIMARY KEY ("id", "billingMonth", "scopeKey");
CREATE INDEX "CostRecord_chargePeriodStart_idx" ON "CostRecord"("chargePeriodStart");
CREATE INDEX "CostRecord_projectId_chargePeriodStart_idx" ON "CostRecord"("projectId", "chargePeriodStart");
CREATE INDEX "CostRecord_vmId_idx" ON "CostRecord"("vmId");
CREATE INDEX "CostRecord_resourceId_idx" ON "CostRecord"("resourceId");
ALTER TABLE "CostRecord" ADD CONSTRAINT "CostRecord_providerAccountId_fkey" FOREIGN KEY ("providerAccountId") REFERENCES "ProviderAccount"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "CostRecord" ADD CONSTRAINT "CostRecord_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "CostRecord" ADD CONSTRAINT "CostRecord_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm"("id") ON DELETE SET NULL ON UPDATE CASCADE;
