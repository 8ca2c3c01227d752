import { createHash } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import type { Queue } from 'bullmq';
import type { Config, Logger, Metrics, RedisConnection } from '@ng/core';
import { CallbackRejected, openEnvelope, parseXml, signedQuery, type CallbackSettings } from '../wecom/callback';

/** How long a delivered event is remembered, to refuse it when it comes again. */
const SEEN_EVENTS_MS = 24 * 3600 * 1000;

/**
 * GET|POST /webhook/wecom: the app's callback. GET proves the URL (answer the decrypted echostr
 * and nothing else, within WeCom's second); POST brings encrypted events, of which the gateway
 * acts on button clicks (template_card_event): checked (fresh, signed, for this corp, well
 * formed, not seen before), queued as an action, answered at once with an empty 200 — the
 * worker updates the card. Anything else is refused with nothing changed.
 */
export function wecomCallbackRoutes(deps: { config: Config; logger: Logger; metrics: Metrics; redis: RedisConnection; actionsQueue: Queue }): Router {
  const router = Router();
  const { callbackToken: token, callbackAesKey: aesKey, corpId } = deps.config.weixin;
  const settings: CallbackSettings | undefined = token && aesKey && corpId ? { token, aesKey, corpId } : undefined;

  function refuse(res: Response, err: unknown) {
    if (!(err instanceof CallbackRejected)) throw err;
    deps.metrics.callbackRejections.inc({ reason: err.reason });
    deps.logger.warn('WeCom callback refused', { reason: err.reason, error: err.message });
    res.status(err.status).type('text').send(err.message);
  }

  function configured(): CallbackSettings {
    if (!settings) throw new CallbackRejected('not_configured', 404, 'the WeCom callback is not configured: set WEIXIN_CALLBACK_TOKEN and WEIXIN_CALLBACK_AES_KEY');
    return settings;
  }

  router.get('/webhook/wecom', (req: Request, res: Response) => {
    try {
      const query = signedQuery(req.query as Record<string, unknown>);
      // A '+' of the base64 echostr arrives as a space when the sender left it unencoded.
      const echostr = typeof req.query.echostr === 'string' ? req.query.echostr.replace(/ /g, '+') : '';
      if (!echostr) throw new CallbackRejected('missing_params', 400, 'echostr is required');
      const plain = openEnvelope(configured(), query, echostr, Date.now());
      deps.logger.info('WeCom callback URL verified');
      res.type('text').send(plain);
    } catch (err) {
      refuse(res, err);
    }
  });

  router.post('/webhook/wecom', express.text({ type: () => true, limit: '64kb' }), async (req: Request, res: Response) => {
    try {
      const callback = configured();
      const query = signedQuery(req.query as Record<string, unknown>);
      const outer = parseXml(typeof req.body === 'string' ? req.body : '');
      if (!outer.Encrypt) throw new CallbackRejected('bad_xml', 400, 'no <Encrypt> element');
      const event = parseXml(openEnvelope(callback, query, outer.Encrypt, Date.now()));
      if (event.ToUserName !== callback.corpId) throw new CallbackRejected('wrong_receiver', 400, 'ToUserName is not this corp id');
      // WeCom's advice: events are told apart by sender and creation time (a click also by its card and button).
      const identity = createHash('sha256').update([event.FromUserName, event.CreateTime, event.TaskId, event.EventKey, event.ResponseCode].join('\u0000')).digest('hex').slice(0, 32);
      const seenKey = `${deps.config.queuePrefix}:wecom:event:${identity}`;
      const first = await deps.redis.set(seenKey, '1', 'PX', SEEN_EVENTS_MS, 'NX');
      if (!first) throw new CallbackRejected('replay', 200, '');
      if (event.MsgType === 'event' && event.Event === 'template_card_event' && event.FromUserName && event.TaskId && event.EventKey) {
        const createTime = Number(event.CreateTime);
        await deps.actionsQueue
          .add(
            `${event.EventKey} by ${event.FromUserName}`,
            { via: 'wecom', userId: event.FromUserName, eventKey: event.EventKey, taskId: event.TaskId, responseCode: event.ResponseCode || undefined, createTime: Number.isFinite(createTime) ? createTime : Math.floor(Date.now() / 1000) },
            { jobId: identity, attempts: 5, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: 86400 }, removeOnFail: false },
          )
          // Not queued: WeCom's retry of this event must not count as a replay.
          .catch(async (err: unknown) => {
            await deps.redis.del(seenKey).catch(() => undefined);
            throw err;
          });
        deps.logger.info('WeCom card button clicked', { user: event.FromUserName, button: event.EventKey, task: event.TaskId });
      } else {
        deps.logger.info('WeCom callback event ignored', { msgType: event.MsgType, event: event.Event });
      }
      res.status(200).end();
    } catch (err) {
      refuse(res, err);
    }
  });
  return router;
}
