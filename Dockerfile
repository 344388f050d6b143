# Build the single executable with Bun (installed from npm, as on any dev machine), run it as non-root.
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build && ./dist/igny8 --version

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /data igny8 \
 && mkdir -p /data && chown igny8:igny8 /data
COPY --from=build /app/dist/igny8 /usr/local/bin/igny8
USER igny8
ENV IGNY8_HOST=0.0.0.0 \
    IGNY8_PORT=8080 \
    IGNY8_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["igny8", "health"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["igny8"]
CMD ["serve"]
