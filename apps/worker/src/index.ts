export { startWorker, type WorkerOptions, type RunningWorker } from './worker';
export { classifyResponse, type Classification } from './wecom/classify';
