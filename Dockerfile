# syntax=docker/dockerfile:1
#
# The Airbyte platform image of source-pipedrive.
#
#   docker build -t airbyte/source-pipedrive:dev .
#   docker run --rm airbyte/source-pipedrive:dev spec
#   docker run --rm -v "$PWD/secrets:/secrets:ro" airbyte/source-pipedrive:dev check --config /secrets/config.json
#
# Two stages: `build` installs every dependency and compiles TypeScript; the runtime stage holds only the
# production dependencies and the files `package.json` "files" ships (test/packaging/docker.spec.ts checks that
# the two lists agree, and that io.airbyte.version matches metadata.yaml and package.json).
# The code lives in /airbyte/integration_code and finds its data files (spec, schemas) by walking up from
# dist/ to the directory holding package.json, so the layout below mirrors the repository.

# ---- build: npm ci (all dependencies) + tsc ------------------------------------------------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build

# ---- runtime: production dependencies + compiled code, as the non-root user airbyte (uid/gid 1000) -----------
FROM node:20-bookworm-slim AS runtime

LABEL io.airbyte.name=airbyte/source-pipedrive
LABEL io.airbyte.version=0.1.0
LABEL org.opencontainers.image.title="source-pipedrive" \
      org.opencontainers.image.description="Airbyte source connector for Pipedrive CRM" \
      org.opencontainers.image.licenses="MIT"

ENV NODE_ENV=production

# The Airbyte platform runs connector containers as uid/gid 1000. The official Node image already has a `node`
# user with that id; replace it by `airbyte`, whose home is /airbyte (writable: the platform and the connector may
# put files there).
RUN userdel node \
 && (groupdel node 2>/dev/null || true) \
 && rm -rf /home/node \
 && groupadd --gid 1000 airbyte \
 && useradd --uid 1000 --gid airbyte --home-dir /airbyte --no-create-home --shell /bin/sh airbyte \
 && mkdir -p /airbyte/integration_code \
 && chown airbyte:airbyte /airbyte

WORKDIR /airbyte/integration_code

# Production dependencies only. --ignore-scripts: the `prepare` script runs tsc, which is a dev dependency.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

# The same files as package.json "files": compiled runtime code, the CLI shim, schemas, spec and docs.
COPY --from=build /build/dist/src ./dist/src
COPY --from=build /build/dist/streams ./dist/streams
COPY --from=build /build/dist/operators ./dist/operators
COPY bin ./bin
COPY streams/schemas ./streams/schemas
COPY src/config/spec.json ./src/config/spec.json
COPY README.md CHANGELOG.md LICENSE ./

ENV AIRBYTE_ENTRYPOINT="/usr/local/bin/node /airbyte/integration_code/bin/source-pipedrive.js"
ENTRYPOINT ["/usr/local/bin/node", "/airbyte/integration_code/bin/source-pipedrive.js"]

USER airbyte
WORKDIR /airbyte
