import { startFakeWecom } from './fake-wecom';

/**
 * The fake WeCom as its own process (benchmarks, chaos suite): prints its URL, then answers
 * GET /__stats with what it recorded.
 */
async function main() {
  const wecom = await startFakeWecom({
    robotKeys: (process.env.FAKE_ROBOT_KEYS ?? 'robot-key-one-secret').split(','),
    robotPerMinute: Number(process.env.FAKE_ROBOT_PER_MINUTE ?? 20),
    keepMessages: process.env.FAKE_KEEP_MESSAGES !== '0',
  });
  process.stdout.write(`${JSON.stringify({ url: wecom.url })}\n`);
  process.on('message', (msg: { cmd: string; args?: unknown[] }) => {
    if (msg.cmd === 'stats') process.send?.({ stats: wecom.stats() });
    if (msg.cmd === 'down') wecom.down(msg.args?.[0] as never);
    if (msg.cmd === 'expireTokens') wecom.expireTokens();
    if (msg.cmd === 'script') wecom.script(msg.args?.[0] as never, msg.args?.[1] as never);
  });
}
void main();
