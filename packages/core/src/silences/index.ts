export * from './matchers';
export * from './store';
