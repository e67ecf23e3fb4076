-- DropIndex
DROP INDEX "Vm_ownerId_idx";

-- DropIndex
DROP INDEX "Vm_projectId_idx";

-- CreateTable
CREATE TABLE "VmMonthlyCost" (
    "vmId" TEXT NOT NULL,
    "monthlyCost" DECIMAL(18,2),
    "currency" TEXT,
    "source" TEXT NOT NULL,
    "computedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "VmMonthlyCost_pkey" PRIMARY KEY ("vmId")
);

-- CreateIndex
CREATE INDEX "VmMonthlyCost_monthlyCost_vmId_idx" ON "VmMonthlyCost"("monthlyCost", "vmId");

-- CreateIndex
CREATE INDEX "Vm_projectId_id_idx" ON "Vm"("projectId", "id");

-- CreateIndex
CREATE INDEX "Vm_ownerId_id_idx" ON "Vm"("ownerId", "id");
