# syntax=docker/dockerfile:1
# Node 24 is the Active LTS line; 22 is the other supported one (package.json's engines).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM ${NODE_IMAGE}
ARG REVISION=unknown
ENV NODE_ENV=production BUILD_REVISION=${REVISION}
# Memory, as measured by `npm run bench`, which runs under these same lines (docs/performance.md, "Sizing"):
# jemalloc hands freed pages back where glibc's malloc keeps them; a smaller young generation keeps V8 from
# growing it past 100 MiB; and an explicit old-generation limit sizes the heap the same under any container
# memory limit (Node.js would derive it from the limit). Raise the latter for a fleet far beyond the sizing table.
RUN apt-get update && apt-get install -y --no-install-recommends libjemalloc2 && rm -rf /var/lib/apt/lists/* \
  && ln -s "/usr/lib/$(uname -m)-linux-gnu/libjemalloc.so.2" /usr/local/lib/libjemalloc.so.2
ENV LD_PRELOAD=/usr/local/lib/libjemalloc.so.2 NODE_OPTIONS="--max-semi-space-size=16 --max-old-space-size=192"
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json config.example.yaml ./
COPY grafana ./grafana
# The image's unprivileged "node" user (uid 1000): the exporter needs no privilege and writes nothing.
USER node
EXPOSE 10102
# GET /-/healthy over HTTPS (certificate not verified) or, when the exporter serves plain HTTP, over HTTP: it works
# whatever --web.config.file says. HEALTHCHECK_PORT=PORT (docker run -e) when --web.listen-address changes the port.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s \
  CMD ["node", "dist/healthcheck.js"]
ENTRYPOINT ["node", "dist/main.js"]
CMD ["--config.file=/etc/aws-resolution-exporter/config.yaml"]
