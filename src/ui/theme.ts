import { useEffect, useSyncExternalStore } from 'react';

// Dark mode: follows the system unless the user picked one (remembered in localStorage).

type Choice = 'light' | 'dark' | 'system';
const KEY = 't5g.theme';
const listeners = new Set<() => void>();
const media = () => window.matchMedia('(prefers-color-scheme: dark)');

const read = (): Choice => {
  const v = window.localStorage.getItem(KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
};

function subscribe(fn: () => void) {
  listeners.add(fn);
  const m = media();
  m.addEventListener('change', fn);
  return () => {
    listeners.delete(fn);
    m.removeEventListener('change', fn);
  };
}

const snapshot = () => `${read()}:${media().matches}`;

export function useTheme(): { choice: Choice; dark: boolean; toggle: () => void } {
  const snap = useSyncExternalStore(subscribe, snapshot);
  const [choice, systemDark] = snap.split(':') as [Choice, string];
  const dark = choice === 'dark' || (choice === 'system' && systemDark === 'true');
  useEffect(() => {
    document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  }, [dark]);
  const toggle = () => {
    window.localStorage.setItem(KEY, dark ? 'light' : 'dark');
    for (const l of listeners) l();
  };
  return { choice, dark, toggle };
}
