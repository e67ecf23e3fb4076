'use client';

import { useState } from 'react';
import { THEME_COOKIE, THEMES, themeClass, type Theme } from './theme';

const LABELS: Record<Theme, string> = { system: 'System', light: 'Light', dark: 'Dark' };

/** Cycles system → light → dark; remembered for a year in a cookie the root layout reads. */
export function ThemeToggle({ initial }: { initial: Theme }) {
  const [theme, setTheme] = useState<Theme>(initial);
  function next() {
    const chosen = THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length]!;
    setTheme(chosen);
    const root = document.documentElement;
    root.classList.remove('light', 'dark');
    const cls = themeClass(chosen);
    if (cls) root.classList.add(cls);
    document.cookie = `${THEME_COOKIE}=${chosen}; path=/; max-age=31536000; samesite=lax`;
  }
  return (
    <button
      type="button"
      onClick={next}
      className="rounded-md border border-white/30 px-2.5 py-1.5 text-sm hover:bg-white/10"
      aria-label={`Colour theme: ${LABELS[theme]}. Change theme`}
      title="Change colour theme"
    >
      <span aria-hidden>{theme === 'dark' ? '☾' : theme === 'light' ? '☀' : '◐'}</span>
      <span className="ml-1 hidden sm:inline">{LABELS[theme]}</span>
    </button>
  );
}
