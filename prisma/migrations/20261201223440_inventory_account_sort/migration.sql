-- CreateIndex
CREATE INDEX "Vm_providerAccountId_id_idx" ON "Vm"("providerAccountId", "id");
