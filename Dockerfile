# Vigil in a container: one static binary (pure-Go SQLite, no cgo), run as
# a non-root user, data in the volume /var/lib/vigil.
#
#   docker build -t vigil .
#   docker run -p 8080:8080 -v vigil-data:/var/lib/vigil \
#     -e VIGIL_LOG_ORIGIN=hotline.example.org/log vigil
#   docker logs <container>      # the one-time setup link, on first start
#
# With PostgreSQL: deploy/compose.yaml. See docs/operations.md.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY cmd ./cmd
COPY internal ./internal
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/vigil ./cmd/vigil \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/vigil /usr/local/bin/vigil
# The data directory (SQLite database, keys, attachments) belongs to the
# image's non-root user (65532). Keep the keys' copy apart from backups of
# this volume: docs/operations.md.
COPY --from=build --chown=65532:65532 /out/data /var/lib/vigil
VOLUME /var/lib/vigil
ENV VIGIL_DATA=/var/lib/vigil \
    VIGIL_ADDR=0.0.0.0:8080
EXPOSE 8080
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/vigil"]
CMD ["serve"]
