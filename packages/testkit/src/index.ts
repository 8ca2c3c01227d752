export * from './fake-wecom';
export * from './procs';
