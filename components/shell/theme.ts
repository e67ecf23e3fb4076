// The user's colour theme: a cookie read by the root layout, so the first paint is already right
// and no inline script (which the CSP would have to allow) is needed. "system" follows
// prefers-color-scheme.
export const THEME_COOKIE = 'skyport-theme';
export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

export function parseTheme(value: string | undefined): Theme {
  return (THEMES as readonly string[]).includes(value ?? '') ? (value as Theme) : 'system';
}

/** The class for <html>: none for "system" (CSS follows the media query). */
export function themeClass(theme: Theme): string | undefined {
  return theme === 'system' ? undefined : theme;
}
