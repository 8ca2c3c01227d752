export * from './alert';
export * from './config';
export * from './logger';
export * from './queue';
export * from './redis';
export * from './metrics';
export * from './sources';
export * from './render';
