import { Router } from 'express';
import { openApiDocument } from '../openapi/document';

// The version operators see is the one deployed: ingest's own package.json, shipped beside dist.
const { version } = require('../../package.json') as { version: string };

/** GET /openapi.json: the HTTP API as OpenAPI 3.1. */
export function openApiRoutes(): Router {
  const document = openApiDocument(version);
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  return router;
}
