#!/bin/sh
# Verify the Docker image with a real engine (CI runs this after scripts/test.sh).
#
#   docker/verify.sh           lint, build the image with podman (buildah), run containers, report
#   docker/verify.sh --keep    also keep docker/.cache/work (logs)
#   docker/verify.sh --clean   delete the cache (docker/.cache) first
#   docker/verify.sh --chroot  the older chroot emulation of the Dockerfile instead of podman
#
# Needs root and Debian's podman, buildah, runc and containernetworking-plugins (podman runs with
# runc: crun fails on these VMs' cgroups), debootstrap (no registry is reachable: the Debian 12 base
# image is a debootstrap imported with `podman import`), python3-yaml, curl, awscli, iproute2 and
# binutils (and nodejs, npm for the Testcontainers client of docker/testcontainers), which it
# installs when missing. Where podman cannot run a container, verify.py says so
# and builds and runs the image with its chroot emulation instead. The first run downloads the base
# system and the packages (about 200 MB, cached in docker/.cache and podman's layer cache); later
# runs rebuild the compile stage and take 2 to 3 minutes on 2 cores. What it checks:
# docker/verify.py and docker/verify_engine.py. Ends with "docker-verify: N passed, M failed";
# exit 1 on any failure.
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
chroot=""
for a in "$@"; do
    case $a in
    --keep) keep="--keep" ;;
    --clean) rm -rf --one-file-system docker/.cache ;;
    --chroot) chroot="--chroot" ;;
    *)
        echo "usage: docker/verify.sh [--keep] [--clean] [--chroot]" >&2
        exit 2
        ;;
    esac
done

need="debootstrap python3 python3-yaml curl awscli iproute2 binutils util-linux podman buildah runc containernetworking-plugins"
# Node.js for the Testcontainers client (docker/testcontainers): the machine's node if it has one
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || need="$need nodejs npm"
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

exec /usr/bin/python3 docker/verify.py $keep $chroot
