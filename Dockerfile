# salvo in a container, for `salvo run` as a scheduled job (Kubernetes CronJob, ECS, Nomad...).
# The build stage runs scripts/release, the same tested script that makes the release archive
# (a binary with the Swift runtime, Foundation, libyaml and SQLite linked in); the image holds
# that binary, CA certificates and a non-root user. Not built in CI (no Docker engine there).
#   docker build -t salvo .
#   docker run --rm -e ALIBABA_CLOUD_ACCESS_KEY_ID -e ALIBABA_CLOUD_ACCESS_KEY_SECRET \
#     -v "$PWD/campaigns:/campaigns:ro" -v salvo-state:/state salvo run /campaigns/spring-sale.yaml
# State goes to /state/salvo (XDG_STATE_HOME=/state), owned by the image's user (uid 10001): a
# named volume works as is; a host folder must be writable by that uid.
# The toolchain Salvo is developed and tested with (Swift 6.3).
FROM swift:6.3-noble AS build
ARG DEBIAN_FRONTEND=noninteractive
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends libyaml-dev libsqlite3-dev zlib1g-dev pkg-config git && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN archive=$(scripts/release | tail -1) && mkdir /out && tar -xzf "$archive" -C /out --strip-components=1

FROM ubuntu:24.04
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends ca-certificates tzdata && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /state --create-home salvo
COPY --from=build /out/salvo /usr/local/bin/salvo
COPY --from=build /out/schema /usr/local/share/salvo/schema
USER salvo
ENV XDG_STATE_HOME=/state
VOLUME /state
ENTRYPOINT ["salvo"]
CMD ["--help"]
