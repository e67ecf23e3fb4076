-- CreateEnum
CREATE TYPE "RequestKind" AS ENUM ('provision', 'vm_action');

-- CreateEnum
CREATE TYPE "PolicyScope" AS ENUM ('provision', 'vm_action');

-- AlterTable
ALTER TABLE "ApprovalPolicy" ADD COLUMN     "scope" "PolicyScope" NOT NULL DEFAULT 'provision';

-- AlterTable
ALTER TABLE "Project" ADD COLUMN     "maxLeaseDays" INTEGER;

-- AlterTable
ALTER TABLE "Request" ADD COLUMN     "kind" "RequestKind" NOT NULL DEFAULT 'provision',
ADD COLUMN     "payload" JSONB,
ADD COLUMN     "vmId" TEXT;

-- CreateIndex
CREATE INDEX "Request_vmId_status_idx" ON "Request"("vmId", "status");

-- AddForeignKey
ALTER TABLE "Request" ADD CONSTRAINT "Request_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm"("id") ON DELETE SET NULL ON UPDATE CASCADE;
