// Preloaded into ingest by the hostile-input scenario (node --expose-gc -r heap-probe.cjs):
// on SIGUSR2 it collects garbage and prints the live heap, so "memory stays flat" is measured
// on what is retained, not on how large V8 chose to let its heap grow.
process.on('SIGUSR2', () => {
  global.gc();
  process.stdout.write(`HEAP_USED ${process.memoryUsage().heapUsed}\n`);
});
