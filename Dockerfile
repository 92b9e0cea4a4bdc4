# qml job server image: `qml serve` is the entry; pass the workers module and the storage.
#   docker build -t qml .
#   docker run --rm -e QML_STORAGE_URL=postgres://… qml serve --workers ./workers.ts
FROM denoland/deno:2.9.6

WORKDIR /app
# The base image's non-root user owns the app and Deno's cache.
RUN chown deno:deno /app
USER deno

# Dependencies first: this layer is rebuilt only when deno.json or deno.lock change.
COPY --chown=deno:deno deno.json deno.lock ./
RUN deno install --frozen

COPY --chown=deno:deno . .
# Compile-cache the entries so a container starts without fetching or type-checking.
RUN deno cache cli.ts mod.ts examples/dashboard_demo.ts

ENV QML_DASHBOARD_HOST=0.0.0.0
EXPOSE 8080
ENTRYPOINT ["deno", "run", "--allow-net", "--allow-env", "--allow-read", "--allow-write", "--allow-sys", "--allow-run", "cli.ts"]
CMD ["serve", "--workers", "examples/workers/demo_workers.ts", "--dashboard", "0.0.0.0:8080"]
