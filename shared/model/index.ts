export * from './errors.ts';
export * from './app-state.ts';
export * from './parity.ts';
export * from './run.ts';
