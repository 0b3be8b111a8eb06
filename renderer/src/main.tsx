import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { getApi } from './api/index.ts';
import { boot } from './boot.ts';
import { applyTheme, useThemeStore } from './stores/theme.ts';
import './styles.css';

applyTheme(useThemeStore.getState().mode);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
void boot(getApi());
