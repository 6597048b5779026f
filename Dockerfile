# The image `kubectl certs install` runs: kubectl-certs on Debian 12 (bookworm) slim, as an
# unprivileged user. Build it from the repository root and push it where your cluster pulls from:
#
#   docker build -t registry.example.com/kubectl-certs:0.1.0-dev .
#   docker push registry.example.com/kubectl-certs:0.1.0-dev
#   kubectl certs install --image registry.example.com/kubectl-certs:0.1.0-dev
#
# The Swift runtime is linked into the binary (--static-swift-stdlib); libcurl, OpenSSL 3 and
# libldns come from Debian, the same packages the binary links against when built on Debian 12.

FROM swift:6.3-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcurl4-openssl-dev libssl-dev libldns-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Package.swift names the test targets and the version plugin too, so their sources come along;
# without .git (.dockerignore) the version is 0.1.0-dev.
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
COPY Plugins ./Plugins
RUN swift build -c release --static-swift-stdlib --product kubectl-certs \
 && install -D -s -m 0755 "$(swift build -c release --show-bin-path)/kubectl-certs" /out/kubectl-certs

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcurl4 libssl3 libldns3 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/kubectl-certs /usr/local/bin/kubectl-certs
# The UID and GID the CronJob's pod runs as (runAsUser / runAsGroup); no home, no writes needed.
USER 65532:65532
ENTRYPOINT ["kubectl-certs"]
