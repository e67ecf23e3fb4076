import type { Metadata } from 'next';
import { Breadcrumb } from '@/components/ui/Breadcrumb';
import { PageHeader } from '@/components/ui/PageHeader';
import { db } from '@/lib/db/client';
import { listPolicies } from '@/lib/policy/service';
import { requirePrincipal } from '../../../../_lib/session';
import { savePolicyAction } from '../actions';
import { asInput, policyFormOptions } from '../data';
import { PolicyForm } from '../PolicyForm';

export const metadata: Metadata = { title: 'New approval policy' };

export default async function NewPolicyPage() {
  await requirePrincipal('admin:policies');
  const [options, policies] = await Promise.all([policyFormOptions(db()), listPolicies(db())]);
  return (
    <>
      <Breadcrumb trail={[{ href: '/admin', label: 'Admin' }, { href: '/admin/policies', label: 'Policies' }]} current="New policy" />
      <PageHeader title="New approval policy" />
      <PolicyForm action={savePolicyAction.bind(null, null)} policy={null} otherPolicies={policies.map(asInput)} {...options} />
    </>
  );
}
