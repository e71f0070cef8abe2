#!/bin/sh
# assemble-rootfs: build the final image's file system from the Dockerfile's runtime stage.
#
#   sh assemble-rootfs.sh ROOTFS WRITABLE
#
# Run as root inside the runtime stage (Debian 12 + docker/packages-runtime.txt + the binary and
# scripts in /usr/local/bin). Writes into ROOTFS, owned by root:
#   - the programs below, and every shared library they load (their `ldd` closure), at the same
#     paths and through the same symlinks as in Debian (merged /usr: /lib -> usr/lib, ...);
#   - Debian's dash as /bin/sh and OpenBSD netcat as /bin/nc: the in-container port check of the
#     Testcontainers clients (`/bin/sh -c "... || nc -vz -w 1 localhost 8000 || ..."`) and
#     `docker run -it IMAGE sh`; no bash (the entrypoint and health check are docker/launcher.c);
#   - /usr/local/bin/java and /usr/local/bin/docker-healthcheck -> docker-entrypoint (the launcher
#     chooses by its name; java: DynamoDB Local's `java -jar DynamoDBLocal.jar ...`);
#   - /etc/passwd, /etc/group with root and the non-root user dynarock (uid/gid 10001, the
#     Dockerfile's USER), /etc/nsswitch.conf, /etc/os-release, /tmp (1777);
#   - for image scanners: a dpkg status entry and the copyright file of each Debian package a
#     copied file comes from (/var/lib/dpkg/status.d/<package>, as distroless images do).
# and into WRITABLE the directories the server may write, which the Dockerfile copies with
# --chown=10001:10001: /data and /home/dynamodblocal/data (the image's WORKDIR is
# /home/dynamodblocal, where amazon/dynamodb-local's `-dbPath ./data` points).
# Fails if a library cannot be found, or if the result cannot run `dynarock --version`.
set -eu

ROOTFS=${1:?usage: assemble-rootfs.sh ROOTFS WRITABLE}
WRITABLE=${2:?usage: assemble-rootfs.sh ROOTFS WRITABLE}
APP_UID=10001
PROGRAMS="/usr/local/bin/dynarock /usr/local/bin/docker-entrypoint /bin/dash /bin/nc.openbsd"

rm -rf "$ROOTFS" "$WRITABLE"
mkdir -p "$ROOTFS" "$WRITABLE"

# Merged /usr: recreate the top-level symlinks (/bin -> usr/bin ...) and their target folders.
for d in bin sbin lib lib32 lib64 libx32; do
    if [ -L "/$d" ]; then
        t=$(readlink "/$d")
        mkdir -p "$ROOTFS/$t"
        ln -s "$t" "$ROOTFS/$d"
    fi
done

# copy_path PATH: copy PATH into ROOTFS, recreating each symlink on the way to the real file.
copied_files=""
copy_path() {
    p=$1
    while [ -L "$p" ]; do
        t=$(readlink "$p")
        mkdir -p "$ROOTFS$(dirname "$p")"
        ln -sfn "$t" "$ROOTFS$p"
        case $t in
        /*) p=$t ;;
        *) p=$(dirname "$p")/$t ;;
        esac
    done
    [ -f "$p" ] || {
        echo "assemble-rootfs: $p: not a file" >&2
        exit 1
    }
    mkdir -p "$ROOTFS$(dirname "$p")"
    cp -p "$p" "$ROOTFS$p"
    copied_files="$copied_files $p"
}

is_elf() {
    [ "$(head -c 4 "$1" | od -An -c | tr -d ' \n')" = '177ELF' ]
}

for prog in $PROGRAMS; do
    copy_path "$prog"
    chmod 0755 "$ROOTFS$prog"
    is_elf "$prog" || continue
    # "libfoo.so.1 => /lib/x86_64-linux-gnu/libfoo.so.1 (0x...)" and the loader "/lib64/ld-... (0x...)"
    if ldd "$prog" | grep -q 'not found'; then
        echo "assemble-rootfs: $prog: missing libraries:" >&2
        ldd "$prog" | grep 'not found' >&2
        exit 1
    fi
    for lib in $(ldd "$prog" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
        copy_path "$lib"
    done
done
ln -s dash "$ROOTFS/usr/bin/sh"
ln -s nc.openbsd "$ROOTFS/usr/bin/nc"
# the launcher by its other names: DynamoDB Local command lines that name java (Testcontainers' Go
# module), and the HEALTHCHECK
ln -s docker-entrypoint "$ROOTFS/usr/local/bin/java"
ln -s docker-entrypoint "$ROOTFS/usr/local/bin/docker-healthcheck"

mkdir -p "$ROOTFS/etc" "$ROOTFS/tmp"
chmod 1777 "$ROOTFS/tmp"
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\ndynarock:x:%s:%s:dynarock:/home/dynamodblocal:/usr/sbin/nologin\n' \
    "$APP_UID" "$APP_UID" >"$ROOTFS/etc/passwd"
printf 'root:x:0:\ndynarock:x:%s:\n' "$APP_UID" >"$ROOTFS/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$ROOTFS/etc/nsswitch.conf"
cp -p "$(readlink -f /etc/os-release)" "$ROOTFS/etc/os-release"

# Package metadata for scanners: one status entry and the copyright of each package used.
mkdir -p "$ROOTFS/var/lib/dpkg/status.d"
for f in $copied_files; do
    pkg=$(dpkg -S "$f" 2>/dev/null | head -n 1 | cut -d: -f1) || true
    [ -n "$pkg" ] || pkg=$(dpkg -S "$(readlink -f "$f")" 2>/dev/null | head -n 1 | cut -d: -f1) || true
    [ -n "$pkg" ] || continue # our own files
    name=${pkg%%:*}
    [ -e "$ROOTFS/var/lib/dpkg/status.d/$name" ] && continue
    dpkg -s "$pkg" >"$ROOTFS/var/lib/dpkg/status.d/$name"
    if [ -f "/usr/share/doc/$name/copyright" ]; then
        mkdir -p "$ROOTFS/usr/share/doc/$name"
        cp -p "/usr/share/doc/$name/copyright" "$ROOTFS/usr/share/doc/$name/"
    fi
done

mkdir -p "$WRITABLE/data" "$WRITABLE/home/dynamodblocal/data"
chown -R "$APP_UID:$APP_UID" "$WRITABLE"

# Smoke test of the result: the server, the launcher, the shell and nc start with only what was copied.
chroot "$ROOTFS" /usr/local/bin/dynarock --version
chroot "$ROOTFS" /usr/local/bin/java -jar DynamoDBLocal.jar -version
chroot "$ROOTFS" /bin/sh -c 'exit 0'
chroot "$ROOTFS" /bin/nc -h >/dev/null 2>&1
