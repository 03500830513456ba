# syntax=docker/dockerfile:1
# Build a static pctracker binary, then ship it alone on a minimal image as a
# non-root user.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/pctracker ./cmd/pctracker \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/pctracker /usr/local/bin/pctracker
COPY --from=build --chown=65532:65532 /out/data /data
ENV PCT_HTTP_ADDR=:8080 \
    PCT_DATABASE_URL=sqlite:/data/pctracker.db \
    PCT_LOG_FORMAT=json
USER 65532:65532
EXPOSE 8080
VOLUME ["/data"]
ENTRYPOINT ["/usr/local/bin/pctracker"]
CMD ["serve"]
