export * from './model.js';
export * from './limits.js';
