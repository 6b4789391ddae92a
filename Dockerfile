# A static perfgate binary on an empty image: the binary, CA certificates, nothing else.
# Base images are pinned to exact versions; the release workflow resolves and records digests.

FROM rust:1.95.0-alpine3.22 AS build
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin perfgate \
 && cp target/release/perfgate /perfgate

FROM alpine:3.22.2 AS certs
RUN apk add --no-cache ca-certificates

FROM scratch
COPY --from=certs /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /perfgate /perfgate
ENTRYPOINT ["/perfgate"]
