#!/bin/sh
# Verify the Docker image without a Docker engine (CI runs this after scripts/test.sh).
#
#   docker/verify.sh           lint, build the image's stages in chroots, run containers, report
#   docker/verify.sh --keep    also keep docker/.cache/work (stage file systems, logs)
#   docker/verify.sh --clean   delete the cache (docker/.cache) first
#
# Needs root (chroot, mount and PID/network namespaces) and Debian's debootstrap, python3-yaml,
# curl, awscli, iproute2 and binutils, which it installs when missing. The first run downloads a
# Debian 12 base system and the build and runtime packages (about 130 MB) and caches them in
# docker/.cache (about 1 GB, git-ignored); later runs take under a minute. What it checks:
# docker/verify.py. Ends with "docker-verify: N passed, M failed"; exit 1 on any failure.
set -eu
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        exec sudo "$0" "$@"
    fi
    echo "docker/verify.sh: needs root (chroot, mounts, namespaces)" >&2
    exit 1
fi

keep=""
for a in "$@"; do
    case $a in
    --keep) keep="--keep" ;;
    --clean) rm -rf --one-file-system docker/.cache ;;
    *)
        echo "usage: docker/verify.sh [--keep] [--clean]" >&2
        exit 2
        ;;
    esac
done

need="debootstrap python3 python3-yaml curl awscli iproute2 binutils util-linux"
missing=""
for p in $need; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
if [ -n "$missing" ]; then
    echo "installing:$missing" >&2
    env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    # shellcheck disable=SC2086
    env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

exec /usr/bin/python3 docker/verify.py $keep
