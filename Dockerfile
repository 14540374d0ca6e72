# The registry's container image, built with Docker: the same layout as the image archive that
# `npm run release` writes without a container engine (dist/release/image.tar, docs/install.md).
#
#   docker build -t mcp-mesh-registry:0.1.0 .
#   docker run -p 8000:8000 -v mesh-data:/data mcp-mesh-registry:0.1.0

# Stage 1: the linux-x64 single executable (scripts/release/build.ts), then the root filesystem
# of the image (the executable, the glibc libraries it loads, CA certificates, the user).
FROM node:24-bookworm AS build
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund \
 && node scripts/release/build.ts --targets linux-x64 --no-image --out /release \
 && node scripts/release/image.ts --rootfs /rootfs /release/linux-x64/mcp-mesh-registry

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
LABEL org.opencontainers.image.title=mcp-mesh-registry \
      org.opencontainers.image.version=0.1.0 \
      org.opencontainers.image.licenses=MIT
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["/usr/local/bin/mcp-mesh-registry", "--healthcheck"]
ENTRYPOINT ["/usr/local/bin/mcp-mesh-registry"]
