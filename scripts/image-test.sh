#!/usr/bin/env bash
# The image test (e2e/image/image.test.ts): builds the image from a clean checkout and runs it in
# both modes. With a Docker engine it uses docker; otherwise Debian's buildah and podman (installed
# here when missing, as root), with node:20-bookworm-slim pulled, or, where no registry answers,
# made locally by ../shared/tools/node-base-image.sh (which also sets podman up for this machine).
set -euo pipefail
cd "$(dirname "$0")/.."
base=docker.io/library/node:20-bookworm-slim
stand_in=../shared/tools/node-base-image.sh

if docker info >/dev/null 2>&1; then
  export IMAGE_ENGINE=docker
else
  export IMAGE_ENGINE=podman
  if ! command -v buildah >/dev/null || ! command -v podman >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "installing buildah and podman for the image test…" >&2
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah podman) >/dev/null
    else
      echo "The image test needs a Docker engine, or buildah and podman: sudo apt-get install buildah podman" >&2
      exit 1
    fi
  fi
  if ! podman image exists "$base"; then
    if [ -f "$stand_in" ]; then
      bash "$stand_in" "$base"
    elif ! timeout 120 podman pull -q "$base" >/dev/null; then
      echo "Cannot pull $base and no $stand_in to make a stand-in: the image test needs the base image." >&2
      exit 1
    fi
  fi
fi
exec turbo run test:image
