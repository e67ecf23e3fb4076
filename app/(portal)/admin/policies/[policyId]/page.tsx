import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Breadcrumb } from '@/components/ui/Breadcrumb';
import { PageHeader } from '@/components/ui/PageHeader';
import { db } from '@/lib/db/client';
import { listPolicies } from '@/lib/policy/service';
import { requirePrincipal } from '../../../../_lib/session';
import { savePolicyAction } from '../actions';
import { asInput, policyFormOptions } from '../data';
import { PolicyForm } from '../PolicyForm';

export const metadata: Metadata = { title: 'Edit approval policy' };

export default async function EditPolicyPage({ params }: { params: Promise<{ policyId: string }> }) {
  await requirePrincipal('admin:policies');
  const { policyId } = await params;
  const [options, policies] = await Promise.all([policyFormOptions(db()), listPolicies(db())]);
  const policy = policies.find((p) => p.id === policyId);
  if (!policy) notFound();
  return (
    <>
      <Breadcrumb trail={[{ href: '/admin', label: 'Admin' }, { href: '/admin/policies', label: 'Policies' }]} current={policy.name} />
      <PageHeader title={`Edit “${policy.name}”`} />
      <PolicyForm
        action={savePolicyAction.bind(null, policy.id)}
        policy={policy}
        otherPolicies={policies.filter((p) => p.id !== policy.id).map(asInput)}
        {...options}
      />
    </>
  );
}
