-- Trigram indexes for the inventory text search need pg_trgm (shipped with PostgreSQL contrib).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- AlterTable
ALTER TABLE "Vm" ADD COLUMN     "claimedAt" TIMESTAMP(3),
ADD COLUMN     "drift" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "driftDetectedAt" TIMESTAMP(3),
ADD COLUMN     "driftReasons" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "expectedSize" TEXT,
ADD COLUMN     "managed" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "ProviderSyncStatus" (
    "id" TEXT NOT NULL,
    "providerAccountId" TEXT NOT NULL,
    "regionCode" TEXT NOT NULL,
    "running" BOOLEAN NOT NULL DEFAULT false,
    "lastStartedAt" TIMESTAMP(3),
    "lastFinishedAt" TIMESTAMP(3),
    "lastSuccessAt" TIMESTAMP(3),
    "lastErrorAt" TIMESTAMP(3),
    "lastError" TEXT,
    "durationMs" INTEGER,
    "discovered" INTEGER NOT NULL DEFAULT 0,
    "created" INTEGER NOT NULL DEFAULT 0,
    "updated" INTEGER NOT NULL DEFAULT 0,
    "removed" INTEGER NOT NULL DEFAULT 0,
    "unmanaged" INTEGER NOT NULL DEFAULT 0,
    "drifted" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProviderSyncStatus_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ProviderSyncStatus_providerAccountId_regionCode_key" ON "ProviderSyncStatus"("providerAccountId", "regionCode");

-- CreateIndex
CREATE INDEX "Vm_name_id_idx" ON "Vm"("name", "id");

-- CreateIndex
CREATE INDEX "Vm_regionCode_id_idx" ON "Vm"("regionCode", "id");

-- CreateIndex
CREATE INDEX "Vm_state_id_idx" ON "Vm"("state", "id");

-- CreateIndex
CREATE INDEX "Vm_size_id_idx" ON "Vm"("size", "id");

-- CreateIndex
CREATE INDEX "Vm_vcpus_id_idx" ON "Vm"("vcpus", "id");

-- CreateIndex
CREATE INDEX "Vm_memoryMiB_id_idx" ON "Vm"("memoryMiB", "id");

-- CreateIndex
CREATE INDEX "Vm_leaseExpiresAt_id_idx" ON "Vm"("leaseExpiresAt", "id");

-- CreateIndex
CREATE INDEX "Vm_privateIp_id_idx" ON "Vm"("privateIp", "id");

-- CreateIndex
CREATE INDEX "Vm_firstSeenAt_id_idx" ON "Vm"("firstSeenAt", "id");

-- CreateIndex
CREATE INDEX "Vm_lastSeenAt_id_idx" ON "Vm"("lastSeenAt", "id");

-- CreateIndex
CREATE INDEX "Vm_providerKind_state_name_id_idx" ON "Vm"("providerKind", "state", "name", "id");

-- CreateIndex
CREATE INDEX "Vm_projectId_name_id_idx" ON "Vm"("projectId", "name", "id");

-- CreateIndex
CREATE INDEX "Vm_managed_deletedAt_idx" ON "Vm"("managed", "deletedAt");

-- CreateIndex
CREATE INDEX "Vm_drift_deletedAt_idx" ON "Vm"("drift", "deletedAt");

-- CreateIndex
CREATE INDEX "Vm_tags_idx" ON "Vm" USING GIN ("tags" jsonb_ops);

-- CreateIndex
CREATE INDEX "Vm_name_trgm_idx" ON "Vm" USING GIN ("name" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Vm_providerId_trgm_idx" ON "Vm" USING GIN ("providerId" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Vm_privateIp_trgm_idx" ON "Vm" USING GIN ("privateIp" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Vm_publicIp_trgm_idx" ON "Vm" USING GIN ("publicIp" gin_trgm_ops);

-- AddForeignKey
ALTER TABLE "ProviderSyncStatus" ADD CONSTRAINT "ProviderSyncStatus_providerAccountId_fkey" FOREIGN KEY ("providerAccountId") REFERENCES "ProviderAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Existing rows: a VM carrying Skyport tags is managed.
UPDATE "Vm" SET "managed" = "createdBySkyport";
