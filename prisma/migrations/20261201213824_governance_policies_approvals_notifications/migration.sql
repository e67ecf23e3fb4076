-- CreateEnum
CREATE TYPE "EnforcementMode" AS ENUM ('hard', 'soft');

-- AlterTable
ALTER TABLE "ApprovalPolicy" ADD COLUMN     "budgetMode" "EnforcementMode" NOT NULL DEFAULT 'hard',
ADD COLUMN     "levels" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "quotaMode" "EnforcementMode" NOT NULL DEFAULT 'hard',
ADD COLUMN     "rejectReason" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "RequestApprovalStep" ADD COLUMN     "activatedAt" TIMESTAMP(3),
ADD COLUMN     "approverIds" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "approversLabel" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "dueAt" TIMESTAMP(3),
ADD COLUMN     "mode" TEXT NOT NULL DEFAULT 'any',
ADD COLUMN     "timeoutAction" TEXT,
ADD COLUMN     "timeoutHours" INTEGER;

-- CreateTable
CREATE TABLE "Notification" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL DEFAULT '',
    "link" TEXT NOT NULL DEFAULT '',
    "readAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Notification_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Notification_userId_readAt_createdAt_idx" ON "Notification"("userId", "readAt", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "ApprovalDecision_stepId_deciderId_key" ON "ApprovalDecision"("stepId", "deciderId");

-- CreateIndex
CREATE INDEX "RequestApprovalStep_status_dueAt_idx" ON "RequestApprovalStep"("status", "dueAt");

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
