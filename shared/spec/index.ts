export * from './schema.ts';
export * from './duration.ts';
