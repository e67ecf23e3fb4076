-- AlterTable
ALTER TABLE "Request" ADD COLUMN     "evaluation" JSONB,
ADD COLUMN     "policyCode" TEXT,
ADD COLUMN     "policyName" TEXT,
ADD COLUMN     "policyReason" TEXT;

-- AlterTable
ALTER TABLE "RequestItem" ADD COLUMN     "parameters" JSONB NOT NULL DEFAULT '{}';

-- CreateTable
CREATE TABLE "RequestEvent" (
    "id" BIGSERIAL NOT NULL,
    "requestId" TEXT NOT NULL,
    "itemId" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "type" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "actorLabel" TEXT,
    "data" JSONB,

    CONSTRAINT "RequestEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RequestEvent_requestId_at_idx" ON "RequestEvent"("requestId", "at");

-- CreateIndex
CREATE INDEX "Request_requesterId_createdAt_idx" ON "Request"("requesterId", "createdAt");

-- AddForeignKey
ALTER TABLE "RequestEvent" ADD CONSTRAINT "RequestEvent_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "Request"("id") ON DELETE CASCADE ON UPDATE CASCADE;
