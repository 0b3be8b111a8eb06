export * from './errors.ts';
export * from './app-state.ts';
export * from './parity.ts';
export * from './run.ts';
export * from './quantity.ts';
export * from './parity-format.ts';
export * from './override.ts';
export * from './gitops.ts';
