-- One index for charge-period ranges with or without a project filter, instead of two: ranges and
-- ORDER BY "chargePeriodStart" read its leading column, project-scoped ranges add "projectId" IN (…)
-- as an index condition (skip scan, PostgreSQL 18). Every import builds one index fewer per leaf, and
-- a timestamp-first key sorts faster than the text-first ("projectId", "chargePeriodStart") did.
-- On the partitioned parent: dropped and built on every leaf.
DROP INDEX "CostRecord_projectId_chargePeriodStart_idx";
DROP INDEX "CostRecord_chargePeriodStart_idx";
CREATE INDEX "CostRecord_chargePeriodStart_projectId_idx" ON "CostRecord"("chargePeriodStart", "projectId");
