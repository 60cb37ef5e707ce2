export * from './backend';
export * from './boxes';
export * from './errors';
export * from './image';
export * from './sampling';
export * from './transform';
export * from './types';
export * from './weights';
