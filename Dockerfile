# The registry's container image, built with Docker: the same layout as the image archive that
# `npm run release` writes without a container engine (dist/release/image.tar, docs/install.md).
#
#   docker build -t mcp-mesh-registry:0.1.0 .
#   docker buildx build --platform linux/amd64,linux/arm64 -t <registry>/mcp-mesh-registry:0.1.0 \
#     --build-arg REVISION=$(git rev-parse HEAD) --build-arg CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ) \
#     --build-arg SOURCE=<repository URL> --push .
#   docker run -p 8000:8000 -v mesh-data:/data mcp-mesh-registry:0.1.0

# Stage 1: the single executable of the platform being built (scripts/release/build.ts), then the
# root filesystem of the image (the executable, the glibc libraries it loads, CA certificates, the user).
FROM node:24-bookworm AS build
ARG TARGETARCH
WORKDIR /src
COPY . .
RUN case "$TARGETARCH" in arm64) target=linux-arm64 ;; *) target=linux-x64 ;; esac \
 && npm ci --no-audit --no-fund \
 && node scripts/release/build.ts --targets "$target" --no-image --out /release \
 && node scripts/release/image.ts --rootfs /rootfs "/release/$target/mcp-mesh-registry"

# Stage 2: nothing but that root filesystem.
FROM scratch
COPY --from=build /rootfs/ /
USER 10001:10001
ENV PATH=/usr/local/bin \
    HOST=0.0.0.0 \
    PORT=8000 \
    MCP_MESH_DATABASE_URL=sqlite:///data/mcp_mesh_registry.db \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
EXPOSE 8000
VOLUME /data
WORKDIR /data
STOPSIGNAL SIGTERM
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=1970-01-01T00:00:00Z
ARG SOURCE=
LABEL org.opencontainers.image.title="mcp-mesh-registry" \
      org.opencontainers.image.description="MCP Mesh registry in TypeScript: agents register, heartbeat and discover each other over HTTP; SQLite or PostgreSQL" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="MIT"
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["/usr/local/bin/mcp-mesh-registry", "--healthcheck"]
ENTRYPOINT ["/usr/local/bin/mcp-mesh-registry"]
