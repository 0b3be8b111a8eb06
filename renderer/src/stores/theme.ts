import { create } from 'zustand';

/** Light and dark themes: follow the system (prefers-color-scheme) unless the user picks one. */
export type ThemeMode = 'system' | 'light' | 'dark';
const KEY = 'conductor.theme';
const ORDER: ThemeMode[] = ['system', 'light', 'dark'];

function load(): ThemeMode {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

export function applyTheme(mode: ThemeMode): void {
  if (mode === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = mode;
}

export const useThemeStore = create<{ mode: ThemeMode; cycle(): void }>((set, get) => ({
  mode: load(),
  cycle() {
    const mode = ORDER[(ORDER.indexOf(get().mode) + 1) % ORDER.length]!;
    try {
      localStorage.setItem(KEY, mode);
    } catch {
      /* not persisted */
    }
    applyTheme(mode);
    set({ mode });
  },
}));
