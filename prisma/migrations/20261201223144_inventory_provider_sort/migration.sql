-- CreateIndex
CREATE INDEX "Vm_providerKind_id_idx" ON "Vm"("providerKind", "id");
