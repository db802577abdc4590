# syntax=docker/dockerfile:1
# Retrocast: API + gateway + web client in one image. LiveKit runs as its own pinned image
# (docker-compose.yml), so no Go toolchain is needed here.

# --- build: dependencies with dev tools, then the server and the web client ---
FROM node:20.19-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY protocol/package.json protocol/
COPY server/package.json server/
COPY web/package.json web/
COPY e2e/package.json e2e/
COPY bench/package.json bench/
COPY desktop/package.json desktop/
RUN npm ci -w protocol -w server -w web --include-workspace-root --no-audit --no-fund
COPY tsconfig.base.json biome.json ./
COPY protocol protocol
COPY server server
COPY web web
RUN npm run build -w protocol && npm run build -w server && npm run build -w web \
 && npm prune --omit=dev -w protocol -w server --include-workspace-root --no-audit --no-fund

# --- runtime: Node, the built app, production dependencies; runs as an unprivileged user ---
FROM node:20.19-bookworm-slim
ENV NODE_ENV=production \
    DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=8080 \
    MDNS=off \
    LIVEKIT_MODE=auto
WORKDIR /app
RUN groupadd --system --gid 10001 retrocast \
 && useradd --system --uid 10001 --gid retrocast --home-dir /data --shell /usr/sbin/nologin retrocast \
 && mkdir -p /data && chown retrocast:retrocast /data
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/protocol/package.json protocol/
COPY --from=build /app/protocol/dist protocol/dist
COPY --from=build /app/server/package.json server/
COPY --from=build /app/server/dist server/dist
COPY --from=build /app/server/src/db/migrations server/src/db/migrations
COPY --from=build /app/web/build web/build
COPY deploy/docker-entrypoint.sh deploy/docker-entrypoint.sh
USER 10001:10001
VOLUME ["/data"]
# 8080 HTTP (localhost, /setup, redirect), 8443 HTTPS with the local CA.
EXPOSE 8080 8443
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/app/deploy/docker-entrypoint.sh"]
CMD ["serve"]
