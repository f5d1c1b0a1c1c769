# syntax=docker/dockerfile:1
#
# Multi-stage image for infra-orchestrator. One image serves both roles:
#   node dist/main.js web      # Slack/Bolt HTTP receiver (default port 3000)
#   node dist/main.js worker   # BullMQ worker
# The last stage (runtime) is the default target. The `demo` stage is for the compose demo service only.
# See docker-compose.yml.

# ---- build: full dependency tree + TypeScript compile -------------------------
FROM node:22-bookworm-slim AS build
WORKDIR /app

# Manifests first so the dependency layer is cached until they change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY tsconfig*.json ./
COPY src ./src
COPY agents ./agents
COPY workflows ./workflows
# tsc -p tsconfig.build.json -> dist/
RUN npm run build

# ---- demo: `npm run demo` in a container (docker compose --profile demo up demo) ----------
# dev/ (the demo, the local Slack, the embedded Postgres) runs from source with ts-node on the build
# stage's full dependency tree; it never reaches the runtime image below.
FROM build AS demo
RUN apt-get update \
  && apt-get install -y --no-install-recommends postgresql-client fonts-dejavu-core \
  && rm -rf /var/lib/apt/lists/*
COPY dev ./dev
RUN mkdir -p /app/.agent_workspace && chown node:node /app/.agent_workspace
VOLUME /app/.agent_workspace
USER node
EXPOSE 4000
CMD ["node_modules/.bin/ts-node", "--transpile-only", "dev/demo/main.ts"]

# ---- runtime: production dependencies + compiled output -----------------------
FROM node:22-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production PORT=3000

# pg_dump and psql: the self-hosted branch provider clones the target's schema and takes the backup
# point with them. pg_dump must be at least the target server's major version (bookworm ships 15).
# fonts-dejavu-core: the digest chart is rasterised with DejaVu Sans loaded from
# /usr/share/fonts/truetype/dejavu (INFRA_CHART_FONT_DIR) and no system font, so it looks the same everywhere.
RUN apt-get update \
  && apt-get install -y --no-install-recommends postgresql-client fonts-dejavu-core \
  && rm -rf /var/lib/apt/lists/*

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY --from=build /app/dist ./dist
# Data folders read at runtime (agent prompts/definitions and workflow YAML);
# they are not compiled, so they are copied as-is.
COPY --from=build /app/agents ./agents
COPY --from=build /app/workflows ./workflows

# Files stay root-owned (read-only for the app); the process runs unprivileged. The workspace
# (validation records, backups, supabase/migrations) is the one folder it writes: mount a volume there.
RUN mkdir -p /app/.agent_workspace && chown node:node /app/.agent_workspace
VOLUME /app/.agent_workspace
USER node

EXPOSE 3000

# No curl/wget in the slim image, so use Node 20's built-in fetch.
# Only meaningful for the `web` role; docker-compose.yml disables it for `worker`.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

CMD ["node", "dist/main.js"]
