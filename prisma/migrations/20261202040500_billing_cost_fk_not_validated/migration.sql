-- billing: hand-written. CostRecord's foreign keys become NOT VALID (PostgreSQL 18 allows that on a
-- partitioned table), so ATTACH PARTITION no longer scans a new billing period once per foreign key
-- (three full scans of a million-row leaf: ~2 s of the import, inside the swap lock). They are still
-- enforced for every row written through CostRecord and still null the links when a VM, project or
-- account is deleted; the importer checks and KEY SHARE-locks the rows a new period links to in the
-- swap transaction instead (lib/billing/partitions.ts lockLinkTargets). Prisma does not model
-- validity, so the schema is unchanged. Older servers keep validated keys (ATTACH then checks them).
DO $$
BEGIN
  IF current_setting('server_version_num')::int >= 180000 THEN
    ALTER TABLE "CostRecord"
      DROP CONSTRAINT "CostRecord_providerAccountId_fkey",
      DROP CONSTRAINT "CostRecord_projectId_fkey",
      DROP CONSTRAINT "CostRecord_vmId_fkey";
    ALTER TABLE "CostRecord"
      ADD CONSTRAINT "CostRecord_providerAccountId_fkey" FOREIGN KEY ("providerAccountId") REFERENCES "ProviderAccount"("id") ON DELETE SET NULL ON UPDATE CASCADE NOT VALID,
      ADD CONSTRAINT "CostRecord_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE SET NULL ON UPDATE CASCADE NOT VALID,
      ADD CONSTRAINT "CostRecord_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm"("id") ON DELETE SET NULL ON UPDATE CASCADE NOT VALID;
  END IF;
END $$;
