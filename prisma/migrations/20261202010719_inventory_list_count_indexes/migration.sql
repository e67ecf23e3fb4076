-- DropIndex
DROP INDEX "Vm_drift_deletedAt_idx";

-- DropIndex
DROP INDEX "Vm_managed_deletedAt_idx";

-- DropIndex
DROP INDEX "Vm_providerKind_regionCode_idx";

-- CreateIndex
CREATE INDEX "Vm_providerKind_deletedAt_state_regionCode_idx" ON "Vm"("providerKind", "deletedAt", "state", "regionCode");

-- CreateIndex
CREATE INDEX "Vm_managed_deletedAt_state_idx" ON "Vm"("managed", "deletedAt", "state");

-- CreateIndex
CREATE INDEX "Vm_drift_deletedAt_state_idx" ON "Vm"("drift", "deletedAt", "state");
