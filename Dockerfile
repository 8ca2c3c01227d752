# syntax=docker/dockerfile:1
# One image for every mode: all-in-one (default), ingest, worker.

FROM node:20-bookworm-slim AS build
WORKDIR /src
RUN npm install -g pnpm@10.34.9
# Manifests first, so dependency layers are cached while the code changes. Every workspace
# package that turbo builds needs its manifest here (pnpm installs only what it sees).
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .pnpmfile.cjs turbo.json tsconfig.base.json ./
COPY packages/core/package.json packages/core/
COPY packages/testkit/package.json packages/testkit/
COPY apps/ingest/package.json apps/ingest/
COPY apps/worker/package.json apps/worker/
COPY apps/gateway/package.json apps/gateway/
COPY e2e/package.json e2e/
RUN pnpm install --frozen-lockfile
COPY packages ./packages
COPY apps ./apps
RUN pnpm run build \
 && pnpm --filter @ng/gateway deploy --prod --legacy /out

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# Only production dependencies and the compiled code; owned by root, run as the unprivileged node user.
COPY --from=build /out ./
USER node
EXPOSE 9000 9100
# Reads PORT and METRICS_PORT like the process it checks: healthy in every mode and on any port.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["node", "dist/healthcheck.js"]
STOPSIGNAL SIGTERM
# Exec form: node receives SIGTERM itself (PID 1 here, or init's child under `init: true`).
CMD ["node", "dist/main.js"]
