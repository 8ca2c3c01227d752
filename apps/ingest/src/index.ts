export { startIngest, type RunningIngest } from './server';
export { createApp, type AppDeps } from './app';
