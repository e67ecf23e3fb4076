// What an approver needs to judge a request, loaded once and used by the inbox and the e-mails.
import type { Prisma } from '@/generated/prisma/client';
import type { Db } from '../db/client';

type Tx = Prisma.TransactionClient | Db;

export const requestContextInclude = {
  project: { select: { id: true, name: true } },
  requester: { select: { id: true, name: true, email: true } },
  items: {
    orderBy: { createdAt: 'asc' },
    include: {
      providerAccount: { select: { name: true, kind: true } },
      templateVersion: { select: { version: true, template: { select: { name: true } } } },
    },
  },
} satisfies Prisma.RequestInclude;

export type RequestWithContext = Prisma.RequestGetPayload<{ include: typeof requestContextInclude }>;

export async function loadRequestContext(tx: Tx, requestId: string): Promise<RequestWithContext | null> {
  return tx.request.findUnique({ where: { id: requestId }, include: requestContextInclude });
}

export const requestLabel = (n: number) => `REQ-${n}`;

const gib = (mib: number) => `${Math.round((mib / 1024) * 10) / 10} GiB`;

/** Plain-text lines describing the request (e-mails, notification bodies). */
export function describeRequest(r: RequestWithContext): string[] {
  const lines = [`Request: ${requestLabel(r.number)}`, `Requester: ${r.requester.name} <${r.requester.email}>`, `Project: ${r.project.name}`];
  for (const i of r.items) {
    lines.push(
      `Template: ${i.templateVersion.template.name} (v${i.templateVersion.version}), size ${i.templateSize && i.templateSize !== i.size ? `${i.templateSize} (${i.size})` : i.size}: ${i.vcpus} vCPU, ${gib(i.memoryMiB)} RAM, ${i.diskGiB} GiB disk`,
      `Placement: ${i.providerAccount.name} (${i.providerAccount.kind}), region ${i.regionCode}; count ${i.quantity}`,
    );
  }
  lines.push(`Estimate: ${r.estimatedMonthlyCost.toFixed(2)} ${r.currency}/month`);
  if (r.policyReason) lines.push(`Policy: ${r.policyReason}`);
  if (r.justification) lines.push(`Justification: ${r.justification}`);
  return lines;
}
