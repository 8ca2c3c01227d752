import Joi from 'joi';
import { describeMessage, startFakeWecom } from './fake-wecom';

/**
 * `pnpm fake-wecom`: the fake WeCom as a program, for trying the gateway without a WeCom
 * account (README, "First card in 5 minutes") and for the benchmarks and the chaos suite.
 * Its credentials come from its environment; it prints the settings that point the gateway
 * at it, then every message it receives. With FAKE_WECOM_CALLBACK_* the app has a callback:
 * button cards are accepted and POST /__fake/click plays members' clicks to that URL.
 */
const ENV = Joi.object({
  FAKE_WECOM_PORT: Joi.number().integer().min(0).max(65535).default(9400),
  FAKE_WECOM_HOST: Joi.string().default('127.0.0.1'),
  FAKE_WECOM_CORP_ID: Joi.string().default('ww-test-corp'),
  FAKE_WECOM_CORP_SECRET: Joi.string().default('test-corp-secret-value'),
  FAKE_WECOM_AGENT_ID: Joi.number().integer().positive().default(1000002),
  FAKE_WECOM_ROBOT_KEYS: Joi.string().default('robot-key-one-secret'),
  FAKE_WECOM_ROBOT_PER_MINUTE: Joi.number().integer().positive().default(20),
  FAKE_WECOM_TOKEN_TTL_SEC: Joi.number().integer().positive().default(7200),
  FAKE_WECOM_KEEP_MESSAGES: Joi.boolean().truthy('1').falsy('0').default(true),
  FAKE_WECOM_PRINT: Joi.boolean().truthy('1').falsy('0').default(true),
  // The app's callback (接收消息 → 设置API接收): the gateway's /webhook/wecom, its Token and EncodingAESKey.
  FAKE_WECOM_CALLBACK_URL: Joi.string().uri({ scheme: ['http', 'https'] }),
  FAKE_WECOM_CALLBACK_TOKEN: Joi.string().pattern(/^[A-Za-z0-9]{1,32}$/).messages({ 'string.pattern.base': 'FAKE_WECOM_CALLBACK_TOKEN is letters and digits, at most 32' }),
  FAKE_WECOM_CALLBACK_AES_KEY: Joi.string().pattern(/^[A-Za-z0-9]{43}$/).messages({ 'string.pattern.base': 'FAKE_WECOM_CALLBACK_AES_KEY is 43 letters and digits' }),
})
  .and('FAKE_WECOM_CALLBACK_URL', 'FAKE_WECOM_CALLBACK_TOKEN', 'FAKE_WECOM_CALLBACK_AES_KEY')
  .unknown(true)
  .prefs({ abortEarly: false, errors: { wrap: { label: false } } });

async function main() {
  const { value: env, error } = ENV.validate(process.env);
  if (error) {
    console.error(`fake WeCom: ${error.details.map((d) => `${d.message} (given ${JSON.stringify(d.context?.value)})`).join('; ')}`);
    process.exit(2);
  }
  const robotKeys = String(env.FAKE_WECOM_ROBOT_KEYS).split(',').filter(Boolean);
  const callback = env.FAKE_WECOM_CALLBACK_URL ? { url: env.FAKE_WECOM_CALLBACK_URL, token: env.FAKE_WECOM_CALLBACK_TOKEN, aesKey: env.FAKE_WECOM_CALLBACK_AES_KEY } : undefined;
  const wecom = await startFakeWecom({
    port: env.FAKE_WECOM_PORT,
    host: env.FAKE_WECOM_HOST,
    corpId: env.FAKE_WECOM_CORP_ID,
    corpSecret: env.FAKE_WECOM_CORP_SECRET,
    agentId: env.FAKE_WECOM_AGENT_ID,
    robotKeys,
    robotPerMinute: env.FAKE_WECOM_ROBOT_PER_MINUTE,
    tokenTtlSec: env.FAKE_WECOM_TOKEN_TTL_SEC,
    keepMessages: env.FAKE_WECOM_KEEP_MESSAGES,
    callback,
    onMessage: env.FAKE_WECOM_PRINT ? (m) => process.stdout.write(`${describeMessage(m)}\n`) : undefined,
  }).catch((err: Error & { code?: string }) => {
    console.error(`fake WeCom cannot listen on ${env.FAKE_WECOM_HOST}:${env.FAKE_WECOM_PORT} (${err.code ?? err.message}): set FAKE_WECOM_PORT to a free port`);
    process.exit(2);
  });
  process.stdout.write(
    [
      `fake WeCom listening on ${wecom.url}`,
      `  app:   corp id ${wecom.corpId}, secret ${wecom.corpSecret}, agent id ${wecom.agentId}`,
      `  robot: key${robotKeys.length > 1 ? 's' : ''} ${robotKeys.join(', ')} (${env.FAKE_WECOM_ROBOT_PER_MINUTE} messages a minute each)`,
      'Point the gateway at it (in the shell that starts the gateway):',
      `  export WEIXIN_API_BASE=${wecom.url} WEIXIN_CORP_ID=${wecom.corpId} WEIXIN_CORP_SECRET=${wecom.corpSecret} WEIXIN_AGENT_ID=${wecom.agentId}${callback ? ` WEIXIN_CALLBACK_TOKEN=${callback.token} WEIXIN_CALLBACK_AES_KEY=${callback.aesKey}` : ''}`,
      callback
        ? `  callback: clicks go to ${callback.url}: curl -X POST ${wecom.url}/__fake/click -d '{"userid":"${wecom.members[0].userid}","taskId":"…","eventKey":"…"}'`
        : '  callback: none (set FAKE_WECOM_CALLBACK_URL, _TOKEN and _AES_KEY for button cards and clicks)',
      `What it received: curl ${wecom.url}/__fake/messages${env.FAKE_WECOM_PRINT ? '   (each message is also printed below)' : ''}`,
      '',
    ].join('\n'),
  );
  const stop = () => void wecom.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
void main();
