import type { Metadata } from 'next';
import { Breadcrumb } from '@/components/ui/Breadcrumb';
import { PageHeader } from '@/components/ui/PageHeader';
import { db } from '@/lib/db/client';
import { requirePrincipal } from '../../../../_lib/session';
import { saveTemplateAction } from '../actions';
import { templateFormOptions } from '../form-data';
import { TemplateForm } from '../TemplateForm';

export const metadata: Metadata = { title: 'New template · Catalog' };

export default async function NewTemplatePage() {
  await requirePrincipal('admin:catalog');
  const options = await templateFormOptions(db());
  return (
    <>
      <Breadcrumb trail={[{ href: '/admin', label: 'Admin' }, { href: '/admin/catalog', label: 'Catalog' }]} current="New template" />
      <PageHeader title="New template" description="Version 1 of a template. Later changes become new versions; requests keep the version they used." />
      <TemplateForm action={saveTemplateAction.bind(null, null)} initial={null} currentVersion={null} {...options} />
    </>
  );
}
