-- CreateIndex
CREATE INDEX "Vm_deletedAt_state_idx" ON "Vm"("deletedAt", "state");
