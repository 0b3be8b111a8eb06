import { contextBridge, ipcRenderer } from 'electron';
import { createPreloadApi } from './api.ts';

// Sandboxed preload (built as CommonJS): exposes exactly the ConductorBridge as window.conductor.
contextBridge.exposeInMainWorld('conductor', createPreloadApi(ipcRenderer));
