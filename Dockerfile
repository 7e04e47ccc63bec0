# syntax=docker/dockerfile:1
# The t5g image: `docker build -t t5g .` The build stage has every dependency and compiles; the
# runtime stage holds only the production tree (compiled server, built UI, migrations) and its
# production dependencies, so the image has no compiler, bundler or test tool.

FROM node:22-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY packages/simulators/package.json packages/simulators/
RUN npm ci
COPY . .
RUN npm run build
RUN npm run package -- /app

FROM node:22-bookworm-slim
WORKDIR /app
COPY --from=build /app ./
# DATA_DIR (PGlite, the embedded default) must be writable by the unprivileged user.
RUN npm ci --omit=dev && npm cache clean --force && mkdir -p /app/data && chown 1000:0 /app/data && chmod g=u /app/data
# The image's `node` user by number (uid 1000), so Kubernetes can verify runAsNonRoot; OpenShift runs
# an arbitrary uid in group 0 instead, hence the group permissions on DATA_DIR.
USER 1000
# Inside a container loopback is unreachable from outside: listen on every interface (the
# development default is 127.0.0.1).
ENV HOST=0.0.0.0
EXPOSE 8080
VOLUME ["/app/data"]
# Liveness of the web process; worker and scheduler containers have no HTTP port and switch it off.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:${PORT:-8080}/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# `start` is everything in one process (PGlite demo when nothing is configured); compose and the
# Kubernetes manifests run `web`, `worker` and `scheduler` instead.
CMD ["node", "dist/server/cli/main.js", "start"]
