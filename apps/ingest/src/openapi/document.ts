import { SEVERITIES, SOURCES } from '@ng/core';

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
          summary: 'Active silences (all=1: ended ones too)',
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
          summary: 'End a silence',
          security: [{ adminBasic: [] }],
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '204': { description: 'Removed' }, '404': error('No such silence'), ...adminErrors },
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
        SilenceMatchers: {
          type: 'object',
          minProperties: 1,
          properties: {
            source: { enum: [...SOURCES] },
            environment: { type: 'string' },
            service: { type: 'string' },
            severity: { enum: [...SEVERITIES] },
            labels: labelMap,
          },
        },
        SilenceInput: {
          type: 'object',
          required: ['matchers'],
          properties: {
            matchers: ref('SilenceMatchers'),
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
            matchers: ref('SilenceMatchers'),
            startsAt: { type: 'string', format: 'date-time' },
            endsAt: { type: 'string', format: 'date-time' },
            createdAt: { type: 'string', format: 'date-time' },
            createdBy: { type: 'string' },
            comment: { type: 'string' },
          },
        },
      },
    },
  };
}
