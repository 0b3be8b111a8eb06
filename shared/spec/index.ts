export * from './schema.ts';
export * from './duration.ts';
export * from './validate.ts';
