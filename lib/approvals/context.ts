// What an approver needs to judge a request, loaded once and used by the inbox and the e-mails.
import type { Prisma } from '@/generated/prisma/client';
import type { Db } from '../db/client';
import { describeVmAction } from '../vms/describe-action';
import { vmActionPayloadSchema, type VmActionPayload } from '../vms/schemas';

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

/** The day-2 action of a vm_action request (null for provisioning requests or an unreadable payload). */
export function actionPayloadOf(r: Pick<RequestWithContext, 'kind' | 'payload'>): { payload: VmActionPayload; summary: string } | null {
  if (r.kind !== 'vm_action') return null;
  const parsed = vmActionPayloadSchema.safeParse(r.payload);
  return parsed.success ? { payload: parsed.data, summary: describeVmAction(parsed.data) } : null;
}

/** "requests 2 × Linux (large) …" or "asks to resize web-1 from … to …" (notification bodies). */
export function requestSubject(r: RequestWithContext): string {
  const action = actionPayloadOf(r);
  if (action) return `asks to ${action.summary}`;
  return `requests ${describeRequest(r).slice(3, 5).join('; ')}`;
}

const gib = (mib: number) => `${Math.round((mib / 1024) * 10) / 10} GiB`;

/** Plain-text lines describing the request (e-mails, notification bodies). */
export function describeRequest(r: RequestWithContext): string[] {
  const lines = [`Request: ${requestLabel(r.number)}`, `Requester: ${r.requester.name} <${r.requester.email}>`, `Project: ${r.project.name}`];
  const action = actionPayloadOf(r);
  if (action) lines.push(`Day-2 action: ${action.summary}`);
  for (const i of r.items) {
    lines.push(
      `Template: ${i.templateVersion.template.name} (v${i.templateVersion.version}), size ${i.templateSize && i.templateSize !== i.size ? `${i.templateSize} (${i.size})` : i.size}: ${i.vcpus} vCPU, ${gib(i.memoryMiB)} RAM, ${i.diskGiB} GiB disk`,
      `Placement: ${i.providerAccount.name} (${i.providerAccount.kind}), region ${i.regionCode}; count ${i.quantity}`,
    );
  }
  lines.push(`${action ? 'Monthly price after the action' : 'Estimate'}: ${r.estimatedMonthlyCost.toFixed(2)} ${r.currency}/month`);
  if (r.policyReason) lines.push(`Policy: ${r.policyReason}`);
  if (r.justification) lines.push(`Justification: ${r.justification}`);
  return lines;
}
