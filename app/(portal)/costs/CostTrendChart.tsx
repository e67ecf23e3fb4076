'use client';

// The daily trend as a chart (recharts). The page renders the same numbers as a table next to it,
// so the chart itself is hidden from assistive technology: aria-hidden, and no keyboard stop
// (recharts' accessibilityLayer would make the hidden SVG focusable: axe aria-hidden-focus).
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface TrendPoint {
  day: string;
  value: number;
}

export function CostTrendChart({ points, currency, label }: { points: TrendPoint[]; currency: string; label: string }) {
  const format = (v: number) => new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: 0 }).format(v);
  return (
    <div className="h-64 w-full text-slate-600" data-testid="cost-trend-chart" aria-hidden="true">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--color-slate-200)" vertical={false} />
          <XAxis dataKey="day" tickFormatter={(d: string) => d.slice(5)} tick={{ fontSize: 11, fill: 'currentColor' }} minTickGap={12} />
          <YAxis tickFormatter={format} tick={{ fontSize: 11, fill: 'currentColor' }} width={64} />
          <Tooltip
            formatter={(v) => [format(Number(v)), label]}
            contentStyle={{ background: 'var(--color-surface)', borderColor: 'var(--color-slate-200)', color: 'var(--color-slate-900)' }}
          />
          <Bar dataKey="value" name={label} fill="var(--color-brand-600)" radius={[2, 2, 0, 0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
