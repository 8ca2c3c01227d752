import { MATCH_OPS, SEVERITIES, SOURCES } from '@ng/core';

/**
 * The HTTP API as an OpenAPI 3.1 document, served at GET /openapi.json. Its schemas are JSON
 * Schema 2020-12; the ingest tests hold every route's real answers to them.
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (description: string, schema: object, headers?: object) => ({ description, content: { 'application/json': { schema } }, ...(headers && { headers }) });
const error = (description: string) => json(description, ref('Error'));
const retryHeaders = { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 1 } } };

/** What every webhook can answer besides its success. */
const webhookErrors = {
  '400': error('The body is not valid JSON or fails the schema; the message names the field'),
  '401': error('Missing or wrong token or signature'),
  '413': error('The body is over BODY_LIMIT'),
  '415': error('Content-Type is not application/json'),
  '503': { ...error('Redis cannot store the alert (unreachable, or full: maxmemory with noeviction); the sender retries'), headers: retryHeaders },
};

const adminErrors = {
  '401': error('Admin credentials missing or wrong'),
  '503': error('Admin endpoints are closed: ADMIN_USER and ADMIN_PASSWORD are not set'),
};

const labelMap = { type: 'object', additionalProperties: { type: 'string' } };

/** What the WeCom callback answers when it refuses (nothing changes): a short text. */
function callbackAnswers(ok: Record<string, object>) {
  const text = (description: string) => ({ description, content: { 'text/plain': { schema: { type: 'string' } } } });
  return {
    ...ok,
    '400': text('Parameters missing, XML malformed or with DOCTYPE/ENTITY, ciphertext not ours, or meant for another corp id'),
    '401': text('msg_signature does not match (WEIXIN_CALLBACK_TOKEN)'),
    '403': text('timestamp more than 5 minutes away: stale or replayed'),
    '404': text('No callback configured (WEIXIN_CALLBACK_TOKEN, WEIXIN_CALLBACK_AES_KEY)'),
  };
}

const ruleAlert = {
  type: 'object',
  required: ['status', 'labels'],
  properties: {
    status: { enum: ['firing', 'resolved'] },
    labels: labelMap,
    annotations: labelMap,
    startsAt: { type: 'string' },
    endsAt: { type: 'string' },
    generatorURL: { type: 'string' },
    fingerprint: { type: 'string' },
  },
};

export function openApiDocument(version: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'notification-gateway',
      version,
      summary: 'Sentry, Alertmanager and Grafana webhooks in; deduplicated, rate-limited, digested WeCom messages out.',
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    tags: [
      { name: 'webhooks', description: 'Where alerts come in: answered 202 once stored in Redis' },
      { name: 'operations', description: 'Health, readiness, metrics, the test message' },
      { name: 'admin', description: 'Basic auth with ADMIN_USER / ADMIN_PASSWORD' },
    ],
    paths: {
      '/webhook/sentry': {
        post: {
          tags: ['webhooks'],
          summary: 'Sentry: Integration Platform (Sentry-Hook-Resource) or the legacy WebHooks plugin',
          description: 'With SENTRY_CLIENT_SECRET set, Integration Platform bodies need Sentry-Hook-Signature (hex HMAC-SHA256 of the raw body) and legacy bodies ?token=WEBHOOK_TOKEN.',
          security: [{}, { sentrySignature: [] }, { tokenQuery: [] }],
          parameters: [
            { name: 'Sentry-Hook-Resource', in: 'header', schema: { enum: ['issue', 'error', 'event_alert', 'metric_alert', 'installation', 'comment'] } },
            { name: 'token', in: 'query', description: 'WEBHOOK_TOKEN, for the unsigned legacy plugin', schema: { type: 'string' } },
          ],
          requestBody: { required: true, content: { 'application/json': { schema: ref('SentryWebhook') } } },
          responses: {
            '200': json('A resource that carries no alert (installation, comment): logged, not delivered', ref('Ignored')),
            '202': json('Stored: one job per alert', ref('Accepted')),
            ...webhookErrors,
          },
        },
      },
      '/webhook/alertmanager': {
        post: {
          tags: ['webhooks'],
          summary: 'Alertmanager webhook v4 (a Grafana body, version "1", is recognised too)',
          security: [{}, { webhookToken: [] }, { webhookBasic: [] }],
          requestBody: { required: true, content: { 'application/json': { schema: { oneOf: [ref('AlertmanagerWebhook'), ref('GrafanaWebhook')] } } } },
          responses: { '202': json('Stored: one job per alert of alerts[]', ref('Accepted')), ...webhookErrors },
        },
      },
      '/webhook/grafana': {
        post: {
          tags: ['webhooks'],
          summary: "Grafana's webhook contact point (version \"1\")",
          security: [{}, { webhookToken: [] }, { webhookBasic: [] }],
          requestBody: { required: true, content: { 'application/json': { schema: ref('GrafanaWebhook') } } },
          responses: { '202': json('Stored: one job per alert of alerts[]', ref('Accepted')), ...webhookErrors },
        },
      },
      '/health': {
        get: { tags: ['operations'], summary: 'Liveness', responses: { '200': json('The process runs', { type: 'object', required: ['status'], properties: { status: { const: 'ok' } } }) } },
      },
      '/ready': {
        get: {
          tags: ['operations'],
          summary: 'Readiness: Redis answers and has room',
          responses: {
            '200': json('Webhooks can be stored', { type: 'object', required: ['status'], properties: { status: { const: 'ready' } } }),
            '503': json('Redis is unreachable, or full (maxmemory reached with noeviction); error says which and why', {
              type: 'object',
              required: ['status', 'error'],
              properties: { status: { enum: ['unavailable', 'full'] }, error: { type: 'string' } },
            }, retryHeaders),
          },
        },
      },
      '/test': {
        post: {
          tags: ['operations'],
          summary: 'A test card through the whole pipeline (the seed\'s 手动测试发送)',
          responses: {
            '202': json('Stored', { type: 'object', required: ['status', 'key'], properties: { status: { const: 'accepted' }, key: { type: 'string' } } }),
            '503': { ...error('Redis cannot store it'), headers: retryHeaders },
          },
        },
      },
      '/metrics': {
        get: {
          tags: ['operations'],
          summary: 'Prometheus text format (ingest; each worker serves its own on METRICS_PORT)',
          responses: { '200': { description: 'Metrics', content: { 'text/plain': { schema: { type: 'string' } } } } },
        },
      },
      '/openapi.json': {
        get: { tags: ['operations'], summary: 'This document', responses: { '200': json('OpenAPI 3.1', { type: 'object', required: ['openapi', 'paths'] }) } },
      },
      '/admin/queues': {
        get: {
          tags: ['admin'],
          summary: 'Bull Board: the queues; the failed set is the dead-letter view (retry from here)',
          security: [{ adminBasic: [] }],
          responses: { '200': { description: 'The board', content: { 'text/html': { schema: { type: 'string' } } } }, ...adminErrors },
        },
      },
      '/api/silences': {
        get: {
          tags: ['admin'],
          summary: 'Active and pending silences (all=1: ended and lifted ones too, newest first)',
          security: [{ adminBasic: [] }],
          parameters: [{ name: 'all', in: 'query', schema: { enum: ['1'] } }],
          responses: { '200': json('Silences, oldest start first', { type: 'array', items: ref('Silence') }), ...adminErrors },
        },
        post: {
          tags: ['admin'],
          summary: 'Create a silence',
          security: [{ adminBasic: [] }],
          requestBody: { required: true, content: { 'application/json': { schema: ref('SilenceInput') } } },
          responses: { '201': json('Created', ref('Silence')), '400': error('A matcher or a time is wrong; the message says which'), ...adminErrors },
        },
      },
      '/api/silences/{id}': {
        delete: {
          tags: ['admin'],
          summary: 'Lift a silence now (it stays listed with who lifted it)',
          security: [{ adminBasic: [] }],
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '204': { description: 'Lifted' }, '404': error('No active silence by that id'), ...adminErrors },
        },
      },
      '/webhook/wecom': {
        get: {
          tags: ['webhooks'],
          summary: "WeCom app callback: URL verification (answer the decrypted echostr, nothing else)",
          parameters: ['msg_signature', 'timestamp', 'nonce', 'echostr'].map((name) => ({ name, in: 'query', required: true, schema: { type: 'string' } })),
          responses: callbackAnswers({ '200': { description: 'The decrypted echostr', content: { 'text/plain': { schema: { type: 'string' } } } } }),
        },
        post: {
          tags: ['webhooks'],
          summary: 'WeCom app callback: encrypted events (a card button clicked becomes an action)',
          parameters: ['msg_signature', 'timestamp', 'nonce'].map((name) => ({ name, in: 'query', required: true, schema: { type: 'string' } })),
          requestBody: { required: true, content: { 'text/xml': { schema: { type: 'string', description: '<xml><ToUserName/><AgentID/><Encrypt/></xml>' } } } },
          responses: callbackAnswers({
            '200': { description: 'Taken (or a retry of one already taken: nothing changes); WeCom needs nothing more' },
            '413': { description: 'Over 64 kB', content: { 'application/json': { schema: ref('Error') } } },
          }),
        },
      },
      '/api/alerts': {
        get: {
          tags: ['admin'],
          summary: 'The alert history, newest first, filtered, a page at a time',
          security: [{ adminBasic: [] }],
          parameters: [
            ...['status', 'severity', 'source', 'environment', 'service', 'fate'].map((name) => ({ name, in: 'query', schema: { type: 'string' } })),
            { name: 'q', in: 'query', description: 'Words in the title, key, alert name or service', schema: { type: 'string' } },
            { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' } },
            { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' } },
            { name: 'cursor', in: 'query', description: "The previous page's next", schema: { type: 'string' } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
          ],
          responses: {
            '200': json('One page', { type: 'object', required: ['alerts', 'next', 'scanned'], properties: { alerts: { type: 'array', items: ref('AlertSummary') }, next: { type: ['string', 'null'] }, scanned: { type: 'integer' } } }),
            '400': error('A filter is wrong; the message names it'),
            ...adminErrors,
          },
        },
      },
      '/api/alerts/{id}': {
        get: {
          tags: ['admin'],
          summary: "One alert: what came in, the decision, every message, its problem's timeline",
          security: [{ adminBasic: [] }],
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': json('The record', { type: 'object', required: ['id', 'alert', 'fate', 'reason', 'plan', 'messages', 'lists'], properties: { id: { type: 'string' }, alert: { type: 'object' }, fate: { type: 'string' }, reason: { type: 'string' }, plan: { type: 'array' }, messages: { type: 'array' }, lists: { type: 'array' }, problem: { type: 'object' } } }),
            '404': error('Not in the history (never seen, or older than HISTORY_RETENTION)'),
            ...adminErrors,
          },
        },
      },
      '/api/problems': {
        get: {
          tags: ['admin'],
          summary: 'Problems still firing: counts, first and last seen, last message, who claimed them',
          security: [{ adminBasic: [] }],
          responses: { '200': json('Open problems, most recently seen first', { type: 'object', required: ['problems'], properties: { problems: { type: 'array', items: { type: 'object', required: ['key', 'title', 'count', 'timeline'] } } } }), ...adminErrors },
        },
      },
      '/api/oncall': {
        get: {
          tags: ['admin'],
          summary: "Each rotation of the policy in force: who is on call now (or at ?at=) and who is next; mobile numbers masked",
          security: [{ adminBasic: [] }],
          parameters: [{ name: 'at', in: 'query', description: 'The time to answer for (ISO 8601); now when absent', schema: { type: 'string', format: 'date-time' } }],
          responses: {
            '200': json('The rotations, in the order of the policy', {
              type: 'object',
              required: ['at', 'tz', 'rotations'],
              properties: {
                at: { type: 'string', format: 'date-time' },
                tz: { type: 'string', description: 'DISPLAY_TZ, the zone of the *Local times' },
                rotations: { type: 'array', items: { type: 'object', required: ['id', 'every', 'handoff', 'now', 'next'], properties: { id: { type: 'string' }, every: { type: 'string' }, handoff: { type: 'string' }, now: ref('Shift'), next: ref('Shift') } } },
              },
            }),
            '400': error('at is not an ISO 8601 time, or an unknown parameter; the message names it'),
            ...adminErrors,
          },
        },
      },
      '/api/preview': {
        post: {
          tags: ['admin'],
          summary: 'What each destination would receive for a webhook (its first occurrence): fate, reason, template, every part with its bytes',
          description: 'The body is a webhook as Sentry (with Sentry-Hook-Resource) or Alertmanager/Grafana posts it, or {"example": name} / {"webhook": body, "resource"?, "policy"?: YAML or JSON text}.',
          security: [{ adminBasic: [] }],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
          responses: {
            '200': json('The preview', ref('Preview')),
            '400': error('Not a webhook or example, or the policy given is invalid; the message says why'),
            '413': error('The body is over BODY_LIMIT'),
            '415': error('Content-Type is not application/json'),
            ...adminErrors,
          },
        },
      },
      '/-/reload': {
        post: {
          tags: ['admin'],
          summary: 'Every process (ingest and each worker) reloads POLICY_FILE; SIGHUP does the same',
          security: [{ adminBasic: [] }],
          responses: {
            '200': json('All reloaded', { type: 'object', required: ['status', 'hash', 'processes'], properties: { status: { const: 'reloaded' }, hash: { type: 'string' }, processes: { type: 'array', items: ref('ReloadReply') } } }),
            '500': json('A process kept its previous policy (error says why: file, line and column), or none answered', {
              type: 'object',
              required: ['status', 'error', 'processes'],
              properties: { status: { const: 'failed' }, error: { type: 'string' }, processes: { type: 'array', items: ref('ReloadReply') } },
            }),
            ...adminErrors,
          },
        },
      },
      '/api/digests/flush': {
        post: {
          tags: ['admin'],
          summary: 'Send every pending hourly and daily digest now',
          security: [{ adminBasic: [] }],
          responses: {
            '200': json('A worker flushed them', { type: 'object', required: ['status', 'digests', 'alerts'], properties: { status: { const: 'flushed' }, digests: { type: 'integer', minimum: 0 }, alerts: { type: 'integer', minimum: 0 } } }),
            '202': json('No worker took the flush within 10 s: it stays queued', { type: 'object', required: ['status'], properties: { status: { const: 'queued' }, error: { type: 'string' } } }),
            ...adminErrors,
          },
        },
      },
    },
    components: {
      securitySchemes: {
        webhookToken: { type: 'http', scheme: 'bearer', description: 'WEBHOOK_TOKEN (Alertmanager http_config.authorization, Grafana "Authorization header")' },
        webhookBasic: { type: 'http', scheme: 'basic', description: 'Any user, WEBHOOK_TOKEN as the password' },
        sentrySignature: { type: 'apiKey', in: 'header', name: 'Sentry-Hook-Signature', description: 'hex HMAC-SHA256 of the raw body with SENTRY_CLIENT_SECRET' },
        tokenQuery: { type: 'apiKey', in: 'query', name: 'token', description: 'WEBHOOK_TOKEN, for the legacy Sentry plugin' },
        adminBasic: { type: 'http', scheme: 'basic', description: 'ADMIN_USER / ADMIN_PASSWORD' },
      },
      schemas: {
        Error: { type: 'object', required: ['error'], properties: { error: { type: 'string' } } },
        Shift: {
          type: 'object',
          required: ['member', 'from', 'fromLocal', 'until', 'untilLocal', 'override'],
          properties: {
            member: { type: 'object', properties: { userid: { type: 'string' }, name: { type: 'string' }, mobile: { type: 'string', description: 'masked: 138****1111' } } },
            from: { type: 'string', format: 'date-time', description: 'UTC' },
            fromLocal: { type: 'string', format: 'date-time', description: 'the same instant in DISPLAY_TZ, with its offset' },
            until: { type: 'string', format: 'date-time' },
            untilLocal: { type: 'string', format: 'date-time' },
            override: { type: 'boolean', description: 'an override (a swap, a holiday), not the turn' },
          },
        },
        Accepted: {
          type: 'object',
          required: ['status', 'jobs'],
          properties: { status: { const: 'accepted' }, jobs: { type: 'integer', minimum: 1 }, event: { type: 'string', description: 'Sentry: resource.action' } },
        },
        Ignored: { type: 'object', required: ['status', 'event'], properties: { status: { const: 'ignored' }, event: { type: 'string' } } },
        SentryWebhook: {
          description: 'Integration Platform envelope ({action, data, installation, actor}) or the legacy plugin (flat, with project_slug and event)',
          type: 'object',
          anyOf: [{ required: ['action', 'data'] }, { required: ['project_slug', 'event'] }],
        },
        AlertmanagerWebhook: {
          type: 'object',
          required: ['version', 'alerts'],
          properties: { version: { const: '4' }, status: { enum: ['firing', 'resolved'] }, truncatedAlerts: { type: 'integer', minimum: 0 }, alerts: { type: 'array', minItems: 1, items: ruleAlert } },
        },
        GrafanaWebhook: {
          type: 'object',
          required: ['version', 'alerts'],
          properties: {
            version: { const: '1' },
            status: { enum: ['firing', 'resolved'] },
            orgId: { type: 'integer' },
            state: { type: 'string' },
            title: { type: 'string' },
            message: { type: 'string' },
            truncatedAlerts: { type: 'integer', minimum: 0 },
            alerts: {
              type: 'array',
              minItems: 1,
              items: {
                ...ruleAlert,
                properties: {
                  ...ruleAlert.properties,
                  silenceURL: { type: 'string' },
                  dashboardURL: { type: 'string' },
                  panelURL: { type: 'string' },
                  imageURL: { type: 'string' },
                  values: { type: ['object', 'null'], additionalProperties: { type: 'number' } },
                  valueString: { type: 'string' },
                },
              },
            },
          },
        },
        Matcher: {
          type: 'object',
          required: ['name', 'value'],
          properties: {
            name: { type: 'string', description: 'source, environment, service, severity, key, title, or a label (alertname, instance …)' },
            op: { enum: [...MATCH_OPS], default: '=' },
            value: { type: 'string', description: 'For =~ and !~ an anchored regex' },
          },
        },
        LegacyMatchers: {
          description: "The first release's form: every entry an equality",
          type: 'object',
          minProperties: 1,
          properties: { source: { enum: [...SOURCES] }, environment: { type: 'string' }, service: { type: 'string' }, severity: { enum: [...SEVERITIES] }, labels: labelMap },
        },
        ReloadReply: {
          type: 'object',
          required: ['process', 'ok'],
          properties: { process: { type: 'string' }, ok: { type: 'boolean' }, hash: { type: 'string' }, error: { type: 'string' } },
        },
        Preview: {
          type: 'object',
          required: ['event', 'policy', 'alerts'],
          properties: {
            event: { type: 'string' },
            ignored: { type: 'string' },
            policy: { type: 'string', description: 'Hash of the policy previewed' },
            alerts: {
              type: 'array',
              items: {
                type: 'object',
                required: ['key', 'title', 'source', 'severity', 'status', 'destinations'],
                properties: {
                  destinations: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['destination', 'type', 'format', 'route', 'fate', 'reason', 'template', 'parts'],
                      properties: {
                        fate: { enum: ['queued', 'digested', 'dropped', 'silenced'] },
                        parts: { type: 'array', items: { type: 'object', required: ['text', 'bytes', 'limit'], properties: { text: { type: 'string' }, bytes: { type: 'integer' }, limit: { type: 'integer' } } } },
                      },
                    },
                  },
                },
              },
            },
          },
        },
        AlertSummary: {
          type: 'object',
          required: ['id', 'at', 'fate', 'severity', 'source', 'status', 'title', 'key'],
          properties: {
            id: { type: 'string' }, at: { type: 'string' }, fate: { type: 'string' }, severity: { enum: [...SEVERITIES] }, source: { type: 'string' }, status: { type: 'string' },
            environment: { type: 'string' }, service: { type: 'string' }, title: { type: 'string' }, key: { type: 'string' }, alertname: { type: 'string' },
          },
        },
        SilenceInput: {
          type: 'object',
          required: ['matchers'],
          properties: {
            matchers: { oneOf: [{ type: 'array', minItems: 1, items: ref('Matcher') }, ref('LegacyMatchers')] },
            startsAt: { type: 'string', format: 'date-time' },
            endsAt: { type: 'string', format: 'date-time' },
            duration: { type: 'string', pattern: '^\\d+(ms|s|m|h|d)$', examples: ['2h'] },
            comment: { type: 'string' },
          },
          oneOf: [{ required: ['endsAt'] }, { required: ['duration'] }],
        },
        Silence: {
          type: 'object',
          required: ['id', 'matchers', 'startsAt', 'endsAt', 'createdAt'],
          properties: {
            id: { type: 'string' },
            matchers: { type: 'array', items: ref('Matcher') },
            startsAt: { type: 'string', format: 'date-time' },
            endsAt: { type: 'string', format: 'date-time' },
            createdAt: { type: 'string', format: 'date-time' },
            createdBy: { type: 'string' },
            comment: { type: 'string' },
            deletedBy: { type: 'string', description: 'Who lifted it early' },
            deletedAt: { type: 'string', format: 'date-time' },
            untilResolved: { type: 'string', description: 'Ends when this problem resolves (已处理 on an Alertmanager problem)' },
          },
        },
      },
    },
  };
}
