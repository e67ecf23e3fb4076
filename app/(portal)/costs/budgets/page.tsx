import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHeader } from '@/components/ui/PageHeader';
import { Table, Td, Th } from '@/components/ui/Table';
import { listBudgets } from '@/lib/billing/budgets';
import { costScopeFor } from '@/lib/billing/scope';
import { PROVIDER_LABELS } from '@/lib/catalog/listing';
import { db } from '@/lib/db/client';
import { PROVIDER_KINDS } from '@/providers/types';
import { requirePrincipal } from '../../../_lib/session';
import { money } from '../money';
import { createBudgetAction, updateBudgetAmountAction } from './actions';
import { BudgetAmountForm, CreateBudgetForm } from './BudgetForms';

export const metadata: Metadata = { title: 'Budgets' };

export default async function BudgetsPage() {
  const principal = await requirePrincipal('budget:manage');
  const database = db();
  const [budgets, projects] = await Promise.all([
    listBudgets(database, costScopeFor(principal)),
    database.project.findMany({ where: { archivedAt: null }, select: { id: true, name: true }, orderBy: { name: 'asc' } }),
  ]);
  return (
    <>
      <PageHeader
        title="Budgets"
        description="Monthly budgets per project (optionally per provider). Alerts go to the project's owners and admins, in the app and by e-mail, once per threshold per month — for actual spend and for the run-rate forecast."
        actions={<Link href="/costs" className="text-sm font-medium text-link underline-offset-2 hover:underline">Back to costs</Link>}
      />
      <section aria-labelledby="budgets" className="mb-8">
        <h2 id="budgets" className="mb-2 text-base font-semibold">This month</h2>
        <Table caption="Budgets with spend this month">
          <thead>
            <tr><Th>Budget</Th><Th>Project</Th><Th>Provider</Th><Th align="right">Actual</Th><Th align="right">Forecast</Th><Th align="right">Used</Th><Th>Alerts this month</Th><Th>Amount</Th></tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {budgets.map((b) => (
              <tr key={b.id}>
                <Td>{b.name}</Td>
                <Td>{b.projectName ?? 'Organisation'}</Td>
                <Td>{b.providerKind ? PROVIDER_LABELS[b.providerKind as keyof typeof PROVIDER_LABELS] : 'All'}</Td>
                <Td align="right">{money(b.actualMonthToDate, b.currency)}</Td>
                <Td align="right">{money(b.forecastMonthEnd, b.currency)}</Td>
                <Td align="right">
                  <span className={b.percentUsed >= 100 ? 'font-semibold text-red-700' : b.percentUsed >= 80 ? 'text-amber-700' : ''}>{b.percentUsed}%</span>
                </Td>
                <Td className="text-xs">
                  {b.alerts.length ? b.alerts.map((a) => `${a.threshold}%${a.forecast ? ' (forecast)' : ''}`).join(', ') : '—'}
                </Td>
                <Td><BudgetAmountForm action={updateBudgetAmountAction.bind(null, b.id)} amount={b.amount} label={b.name} /></Td>
              </tr>
            ))}
            {budgets.length === 0 && <tr><Td className="text-slate-600">No budgets yet.</Td></tr>}
          </tbody>
        </Table>
      </section>
      <section aria-labelledby="new-budget" className="rounded-xl border border-slate-200 bg-surface p-4 shadow-sm">
        <h2 id="new-budget" className="mb-3 text-base font-semibold">New budget</h2>
        <CreateBudgetForm action={createBudgetAction} projects={projects} providers={PROVIDER_KINDS.map((kind) => ({ kind, label: PROVIDER_LABELS[kind] }))} />
      </section>
    </>
  );
}
