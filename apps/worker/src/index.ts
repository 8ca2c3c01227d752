export { startWorker, type WorkerOptions, type RunningWorker } from './worker';
export { classifyResponse, type Classification } from './wecom/classify';
export { MEMORY_WARN_SHARE } from './clock/redis-memory-watch';
