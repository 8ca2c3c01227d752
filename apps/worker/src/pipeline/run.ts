import type { AlertContext, Fate, Stage } from './stage';

/** Runs the stages top to bottom; the first one that returns a fate ends the run. */
export async function runPipeline(stages: readonly Stage[], ctx: AlertContext): Promise<Fate> {
  for (const stage of stages) {
    const fate = await stage.run(ctx);
    if (fate) return fate;
  }
  return { fate: 'delivered' };
}
