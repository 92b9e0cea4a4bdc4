# qml: a job server (and its dashboard) in a container. `qml serve` is the entry.
#   docker build -t qml .
#   docker run --rm -p 8080:8080 -e QML_STORAGE_URL=postgres://… -e QML_DASHBOARD_TOKEN=… qml
#   docker run --rm -e QML_STORAGE_URL=redis://… qml serve --workers /app/workers.ts
FROM denoland/deno:2.9.6

WORKDIR /app
RUN chown deno:deno /app
# The base image's unprivileged user owns the app and Deno's cache.
USER deno

# Dependencies first: this layer is rebuilt only when deno.json or deno.lock change.
COPY --chown=deno:deno deno.json deno.lock ./
RUN deno install --frozen

COPY --chown=deno:deno . .
# Cache the entries' module graphs so a container starts without fetching anything.
RUN deno cache cli.ts mod.ts examples/workers/dashboard_workers.ts

ENV QML_DASHBOARD_HOST=0.0.0.0
EXPOSE 8080
ENTRYPOINT ["deno", "run", "--allow-net", "--allow-env", "--allow-read", "--allow-write", "--allow-sys", "--allow-run", "cli.ts"]
CMD ["serve", "--workers", "examples/workers/dashboard_workers.ts", "--dashboard", ":8080"]
