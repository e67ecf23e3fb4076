'use client';

// Filters as a plain GET form (works without JavaScript); with JavaScript the region list follows the
// chosen provider (only that provider's regions), and a region that no longer fits is cleared.
import Link from 'next/link';
import { useState } from 'react';
import { PROVIDER_NAMES } from '@/components/portal/format';
import type { ProviderKind, VmState } from '@/generated/prisma/enums';
import { PAGE_SIZES, type ListVmsQuery } from '@/lib/inventory/schemas';

const selectClass = 'mt-1 block w-full rounded-md border border-slate-300 bg-surface px-2.5 py-1.5 text-sm focus:border-brand-500';
const label = 'text-xs font-medium text-slate-600';
const rangeClass = 'block w-full min-w-0 rounded-md border border-slate-300 bg-surface px-2 py-1.5 text-sm focus:border-brand-500';

interface Props {
  query: ListVmsQuery;
  providers: ProviderKind[];
  regions: { providerKind: ProviderKind; regionCode: string }[];
  states: VmState[];
  projects: { id: string; name: string }[];
  accounts: { id: string; name: string }[];
  owners: { id: string; name: string }[];
  filtered: boolean;
}

function Select(props: { name: string; text: string; all: string; value: string; options: { value: string; label: string }[]; onChange?: (v: string) => void }) {
  return (
    <div>
      <label htmlFor={`f-${props.name}`} className={label}>
        {props.text}
      </label>
      <select
        id={`f-${props.name}`}
        name={props.name}
        value={props.onChange ? props.value : undefined}
        defaultValue={props.onChange ? undefined : props.value}
        onChange={props.onChange ? (e) => props.onChange!(e.target.value) : undefined}
        className={selectClass}
      >
        <option value="">{props.all}</option>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function FilterBar({ query, providers, regions, states, projects, accounts, owners, filtered }: Props) {
  const [provider, setProvider] = useState<string>(query.provider ?? '');
  const [region, setRegion] = useState<string>(query.region ?? '');
  const regionChoices = [...new Set(regions.filter((r) => !provider || r.providerKind === provider).map((r) => r.regionCode))].sort();

  return (
    <form method="get" action="/inventory" aria-label="Filter virtual machines" className="mb-4 rounded-xl border border-slate-200 bg-surface p-4">
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4 xl:grid-cols-6">
        <div className="sm:col-span-2">
          <label htmlFor="f-q" className={label}>
            Search name, IP or provider id
          </label>
          <input id="f-q" name="q" type="search" maxLength={200} defaultValue={query.q ?? ''} className={selectClass} placeholder="e.g. web-01 or 10.0.1." />
        </div>
        <Select
          name="provider"
          text="Provider"
          all="All providers"
          value={provider}
          options={providers.map((p) => ({ value: p, label: PROVIDER_NAMES[p] }))}
          onChange={(value) => {
            setProvider(value);
            if (value && region && !regions.some((r) => r.providerKind === value && r.regionCode === region)) setRegion('');
          }}
        />
        <Select name="region" text="Region" all={provider ? `All ${PROVIDER_NAMES[provider as ProviderKind]} regions` : 'All regions'} value={region} options={regionChoices.map((r) => ({ value: r, label: r }))} onChange={setRegion} />
        <Select name="state" text="State" all="All states" value={query.state ?? ''} options={states.map((s) => ({ value: s, label: s }))} />
        <Select name="project" text="Project" all="All projects" value={query.project ?? ''} options={projects.map((p) => ({ value: p.id, label: p.name }))} />
        <Select name="owner" text="Owner" all="All owners" value={query.owner ?? ''} options={owners.map((o) => ({ value: o.id, label: o.name }))} />
        {accounts.length > 0 && <Select name="account" text="Account" all="All accounts" value={query.account ?? ''} options={accounts.map((a) => ({ value: a.id, label: a.name }))} />}
        <Select
          name="managed"
          text="Ownership"
          all="Managed and unmanaged"
          value={query.managed === undefined ? '' : String(query.managed)}
          options={[
            { value: 'true', label: 'Managed by Skyport' },
            { value: 'false', label: 'Unmanaged' },
          ]}
        />
        <Select name="drift" text="Drift" all="Any" value={query.drift === undefined ? '' : String(query.drift)} options={[{ value: 'true', label: 'Drifted' }, { value: 'false', label: 'No drift' }]} />
        <div>
          <label htmlFor="f-tag" className={label}>
            Tag (key or key=value)
          </label>
          <input id="f-tag" name="tag" maxLength={300} defaultValue={query.tag ?? ''} className={selectClass} />
        </div>
        <fieldset className="min-w-0">
          <legend className={label}>Monthly cost</legend>
          <div className="mt-1 flex items-center gap-1">
            <label htmlFor="f-costMin" className="sr-only">
              Monthly cost from
            </label>
            <input id="f-costMin" name="costMin" type="number" min={0} step="any" inputMode="decimal" defaultValue={query.costMin ?? ''} placeholder="min" className={rangeClass} />
            <span aria-hidden="true" className="text-slate-500">
              –
            </span>
            <label htmlFor="f-costMax" className="sr-only">
              Monthly cost up to
            </label>
            <input id="f-costMax" name="costMax" type="number" min={0} step="any" inputMode="decimal" defaultValue={query.costMax ?? ''} placeholder="max" className={rangeClass} />
          </div>
        </fieldset>
        <Select name="limit" text="Rows per page" all="50" value={query.limit === 50 ? '' : String(query.limit)} options={PAGE_SIZES.filter((s) => s !== 50).map((s) => ({ value: String(s), label: String(s) }))} />
        {query.sort !== 'name' && <input type="hidden" name="sort" value={query.sort} />}
        {query.leaseBefore && <input type="hidden" name="leaseBefore" value={query.leaseBefore} />}
        <div className="flex items-end gap-2">
          <button type="submit" className="rounded-md bg-brand-600 px-4 py-1.5 text-sm font-medium text-white hover:bg-brand-700">
            Apply
          </button>
          {filtered && (
            <Link href="/inventory" className="rounded-md px-3 py-1.5 text-sm text-slate-600 underline hover:text-slate-900">
              Clear
            </Link>
          )}
        </div>
      </div>
    </form>
  );
}
