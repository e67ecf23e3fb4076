import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Breadcrumb } from '@/components/ui/Breadcrumb';
import { PageHeader } from '@/components/ui/PageHeader';
import { isAdmin } from '@/lib/auth/permissions';
import { getTemplateDefinition } from '@/lib/catalog/templates';
import { db } from '@/lib/db/client';
import { DomainError, NotFoundError } from '@/lib/errors';
import type { EstimateResponse } from '@/lib/requests/schemas';
import { estimatePlacements } from '@/lib/requests/service';
import { requirePrincipal } from '../../../_lib/session';
import { RequestForm, type RequestFormTemplate } from './RequestForm';

export const metadata: Metadata = { title: 'Request VMs' };

async function loadTemplate(slug: string) {
  try {
    return await getTemplateDefinition(db(), slug);
  } catch (error) {
    if (error instanceof NotFoundError) notFound();
    throw error;
  }
}

export default async function RequestTemplatePage({ params }: { params: Promise<{ slug: string }> }) {
  const principal = await requirePrincipal('request:create');
  const { slug } = await params;
  const template = await loadTemplate(decodeURIComponent(slug).slice(0, 100));
  const d = template.definition;
  const projects = await db().project.findMany({
    where: {
      archivedAt: null,
      ...(isAdmin(principal) ? {} : { id: { in: Object.keys(principal.projects) } }),
      ...(d.allowedProjectIds.length ? { id: { in: d.allowedProjectIds.filter((id) => isAdmin(principal) || id in principal.projects) } } : {}),
    },
    select: { id: true, name: true, key: true },
    orderBy: { name: 'asc' },
  });
  const formTemplate: RequestFormTemplate = {
    id: template.templateId,
    name: d.name,
    sizes: d.sizes.map((s) => ({ name: s.name, label: s.label ?? s.name, vcpus: s.vcpus, memoryMiB: s.memoryMiB, diskGiB: s.diskGiB })),
    parameters: d.parameters,
    defaultLeaseDays: d.defaultLeaseDays,
    maxLeaseDays: d.maxLeaseDays,
  };
  // The first estimate is rendered on the server, so placements and prices show without waiting for
  // a round trip; the form asks for new ones as fields change.
  let initialEstimate: EstimateResponse | null = null;
  if (projects[0] && formTemplate.sizes[0] && !template.archived) {
    try {
      initialEstimate = await estimatePlacements(db(), principal, {
        projectId: projects[0].id,
        templateId: template.templateId,
        size: formTemplate.sizes[0].name,
        count: 1,
        parameters: Object.fromEntries(d.parameters.filter((p) => p.default !== undefined).map((p) => [p.name, p.default!])),
      });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
    }
  }
  return (
    <>
      <Breadcrumb trail={[{ href: '/catalog', label: 'Catalog' }]} current={d.name} />
      <PageHeader title={`Request: ${d.name}`} description={`${d.os} · ${d.description}`} />
      {template.archived ? (
        <p role="status" className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900">
          This template is archived and can no longer be requested.
        </p>
      ) : projects.length === 0 ? (
        <p role="status" className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900">
          You are not a member of a project this template is available to. Ask a project owner to add you.
        </p>
      ) : (
        <RequestForm template={formTemplate} projects={projects} initialEstimate={initialEstimate} />
      )}
    </>
  );
}
