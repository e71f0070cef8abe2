#!/usr/bin/env python3
"""verify: check docker/Dockerfile and docker/docker-compose.yml.

Called by docker/verify.sh (as root; see there). After the lint (1. below), the image is built and
run by podman (docker/verify_engine.py) wherever podman can run a container; only where it cannot
(or with --chroot) do parts 2 and 3 below emulate the engine. Each part prints ok/FAIL lines and,
at the end, "docker-verify: N passed, M failed" (exit 1 if any failed):

1. Lint. Pinned base images (tag and sha256 digest), a numeric non-root USER in the final stage,
   apt lists removed and --no-install-recommends in every RUN that uses apt, the package lists
   read from docker/packages-*.txt (no package named in the Dockerfile itself), HEALTHCHECK in
   exec form, EXPOSE 8000, STOPSIGNAL, ENTRYPOINT in exec form, OCI labels, no ADD; the compose
   file's shape; BUILD_PKGS of scripts/install-deps.sh contained in packages-build.txt.

2. Build. Executes the Dockerfile's instructions the way `docker build` would, without layers:
   a Debian base image is `debootstrap --variant=minbase` of its release with Docker's apt
   sources and no apt lists; `scratch` is an empty folder; RUN runs `/bin/sh -c` chrooted into the
   stage, in fresh mount/PID/IPC/UTS namespaces with /proc, /dev, /sys and the host's
   resolv.conf; COPY follows Docker's rules (and .dockerignore) for the build context and for
   --from stages, with --chown. ARG/ENV/WORKDIR/USER/EXPOSE/... are recorded. An instruction or
   option not listed here fails the run rather than being skipped. Cached in docker/.cache: the
   debootstrap result, and each stage's file system after its first RUN (its package install),
   keyed by the instructions and copied files before it.

3. Run. The final stage's file system is the image: its size is reported (and must stay under
   40 MB as an uncompressed tar), then containers are started the way `docker run` does:
   a fresh copy of the image, new PID/mount/network/IPC/UTS namespaces, /proc /dev /sys mounted,
   loopback up, chroot into the copy as the image's USER in its WORKDIR, ENTRYPOINT + CMD or the
   given arguments, named volumes as bind mounts initialised from the image. The health check
   runs in the container's namespaces (nsenter), requests come from the host's curl and AWS CLI
   inside the container's network namespace, `docker stop` is SIGTERM to the container's PID 1.
"""

import argparse
import gzip
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time

import verify_engine

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DOCKERFILE = os.path.join(HERE, "Dockerfile")
COMPOSE = os.path.join(HERE, "docker-compose.yml")
CACHE = os.path.join(HERE, ".cache")
WORK = os.path.join(CACHE, "work")
MIRROR = "http://deb.debian.org/debian"
DEBIAN_SUITES = {"12": "bookworm"}
SIZE_LIMIT = 40_000_000  # bytes of the image as an uncompressed tar: the "image <= 40 MB"
STOP_TIMEOUT = 10.0  # docker stop's default grace period before SIGKILL
CONTAINER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
DEBIAN_SOURCES = """\
Types: deb
URIs: http://deb.debian.org/debian
Suites: {suite} {suite}-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: {suite}-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"""

passed = 0
failed = 0


def ok(msg):
    global passed
    passed += 1
    print(f"ok    {msg}", flush=True)


def fail(msg):
    global failed
    failed += 1
    print(f"FAIL  {msg}", flush=True)


def check(cond, msg):
    (ok if cond else fail)(msg)
    return cond


def step(msg):
    print(f"== {msg}", flush=True)


class Abort(Exception):
    """A failure after which the remaining checks cannot run."""


# ---------------------------------------------------------------------------------------------
# Dockerfile parsing


class Instr:
    def __init__(self, line, kw, rest):
        self.line = line
        self.kw = kw
        self.flags = {}
        self.rest = rest
        if kw in ("FROM", "COPY", "ADD", "RUN", "HEALTHCHECK"):
            while True:
                m = re.match(r"--([a-z-]+)(?:=(\S*))?\s+", self.rest)
                if not m:
                    break
                self.flags[m.group(1)] = m.group(2) if m.group(2) is not None else ""
                self.rest = self.rest[m.end():]
        self.json = None
        if self.rest.startswith("["):
            try:
                self.json = json.loads(self.rest)
            except ValueError:
                pass

    def __str__(self):
        return f"line {self.line}: {self.kw} {self.rest}"[:110]


class Stage:
    def __init__(self, index, base, name, line):
        self.index = index
        self.base = base
        self.name = name
        self.line = line
        self.instrs = []


def parse_dockerfile(text):
    """Returns (global ARG instructions, stages)."""
    logical = []
    buf, start = "", 0
    for n, raw in enumerate(text.splitlines(), 1):
        s = raw.strip()
        if s.startswith("#") or (not s and not buf):
            continue
        if not buf:
            start = n
        if s.endswith("\\"):
            buf += s[:-1] + " "
            continue
        buf += s
        logical.append((start, buf.strip()))
        buf = ""
    if buf.strip():
        logical.append((start, buf.strip()))
    global_args, stages = [], []
    for line, s in logical:
        kw, _, rest = s.partition(" ")
        ins = Instr(line, kw.upper(), rest.strip())
        if ins.kw == "FROM":
            m = re.fullmatch(r"(\S+)(?:\s+[Aa][Ss]\s+(\S+))?", ins.rest)
            if not m:
                raise Abort(f"cannot parse {ins}")
            stages.append(Stage(len(stages), m.group(1), m.group(2), line))
        elif not stages:
            if ins.kw != "ARG":
                raise Abort(f"only ARG may come before the first FROM ({ins})")
            global_args.append(ins)
        else:
            stages[-1].instrs.append(ins)
    return global_args, stages


def expand(s, env):
    """Docker's variable substitution, the ${VAR} / $VAR forms (unset variables expand to '')."""
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: env.get(m.group(1) or m.group(2), ""), s)


def parse_arg(ins, env):
    name, eq, default = ins.rest.partition("=")
    return name.strip(), (expand(default.strip().strip('"'), env) if eq else None)


def parse_kv(rest, env):
    """KEY=VALUE pairs of LABEL and ENV (quoted values allowed)."""
    out = {}
    for tok in shlex.split(rest):
        k, _, v = tok.partition("=")
        out[k] = expand(v, env)
    return out


# ---------------------------------------------------------------------------------------------
# Lint


PINNED = re.compile(r"^(?P<name>[\w./-]+):(?P<tag>[\w.-]+)@sha256:[0-9a-f]{64}$")


def lint(global_args, stages):
    step("lint docker/Dockerfile")
    genv = {}
    for a in global_args:
        k, v = parse_arg(a, genv)
        if v is not None:
            genv[k] = v
    names = set()
    pinned = True
    for st in stages:
        base = expand(st.base, genv)
        if base == "scratch" or base in names:
            pass
        else:
            m = PINNED.match(base)
            good = bool(m and m.group("tag") != "latest" and re.search(r"\d+\.\d+", m.group("tag")))
            pinned &= check(good, f"stage {st.name or st.index}: base image pinned by version tag and digest ({base})")
        if st.name:
            names.add(st.name)
    final = stages[-1]
    fins = {}
    for ins in final.instrs:
        fins.setdefault(ins.kw, []).append(ins)

    users = fins.get("USER", [])
    user = users[-1].rest if users else ""
    m = re.fullmatch(r"(\d+)(?::(\d+))?", user)
    check(m and int(m.group(1)) != 0 and (m.group(2) is None or int(m.group(2)) != 0),
          f"final stage runs as a numeric non-root USER ({user or 'none: root'})")

    apt_runs = [(st, i) for st in stages for i in st.instrs if i.kw == "RUN" and "apt-get" in i.rest]
    lists = set()
    for st, ins in apt_runs:
        check(re.search(r"rm -rf /var/lib/apt/lists/\*( [^&|;]+)?$", ins.rest) is not None,
              f"apt lists removed in the same RUN ({ins.line})")
        if "apt-get install" in ins.rest:
            check("--no-install-recommends" in ins.rest, f"apt-get install --no-install-recommends ({ins.line})")
            m = re.search(r"sed 's/#\.\*//' /tmp/(packages-[\w-]+\.txt) >(\S+)\s+&&\s+.*xargs -a (\S+) apt-get install ",
                          ins.rest)
            m = m if m and m.group(2) == m.group(3) and ins.rest.count("apt-get install") == 1 else None
            copied = m and any(i.kw == "COPY" and f"docker/{m.group(1)}" in i.rest.split() for i in st.instrs)
            if check(bool(copied), f"packages installed only from a docker/packages-*.txt list copied in ({ins.line})"):
                lists.add(m.group(1))
    check(lists == {"packages-build.txt", "packages-runtime.txt"},
          f"the build and runtime package lists are docker/packages-build.txt and packages-runtime.txt ({sorted(lists)})")

    hc = fins.get("HEALTHCHECK", [])
    check(len(hc) == 1 and hc[0].rest.startswith("CMD [") and hc[0].rest != "NONE",
          "final stage has a HEALTHCHECK in exec form")
    check(any("8000" in i.rest.split() or "8000/tcp" in i.rest.split() for i in fins.get("EXPOSE", [])),
          "final stage EXPOSEs 8000")
    check([i.rest for i in fins.get("STOPSIGNAL", [])] == ["SIGTERM"], "STOPSIGNAL SIGTERM")
    ep = fins.get("ENTRYPOINT", [])
    check(len(ep) == 1 and isinstance(ep[0].json, list), "ENTRYPOINT in exec form (signals reach PID 1)")
    labels = {}
    for i in fins.get("LABEL", []):
        labels.update(parse_kv(i.rest, {}))
    want = ["org.opencontainers.image." + k for k in ("title", "description", "version", "revision")]
    check(all(k in labels for k in want), "OCI labels title, description, version, revision")
    check(not any(i.kw == "ADD" for st in stages for i in st.instrs), "no ADD (nothing fetched outside apt)")
    # [issue 19] what Docker 20.10's classic builder or buildah 1.28 (podman 4.3) refuse
    newer = [i.line for st in stages for i in st.instrs
             if re.search(r"--start-interval|--link\b|--mount=|--chmod=|--exclude=|--parents\b|<<", i.rest)]
    check(not newer, f"only options Docker 20.10, BuildKit and buildah 1.28 all accept {newer}")

    with open(os.path.join(REPO, "scripts", "install-deps.sh")) as f:
        m = re.search(r'^BUILD_PKGS="([^"]*)"', f.read(), re.M)
    dev = set(m.group(1).split()) if m else set()
    have = set(read_list("packages-build.txt"))
    check(dev and dev <= have,
          f"scripts/install-deps.sh BUILD_PKGS are all in packages-build.txt (missing: {sorted(dev - have)})")
    if not pinned:
        raise Abort("unpinned base image")


def read_list(name):
    with open(os.path.join(HERE, name)) as f:
        return [w for line in f for w in line.split("#", 1)[0].split()]


def lint_compose():
    step("lint docker/docker-compose.yml")
    import yaml  # Debian's python3-yaml

    with open(COMPOSE) as f:
        doc = yaml.safe_load(f)
    svcs = doc.get("services", {})
    server = next((n for n, s in svcs.items() if "build" in s), None)
    ok_build = False
    if server:
        b = svcs[server]["build"]
        ctx = os.path.normpath(os.path.join(HERE, b.get("context", ".")))
        ok_build = ctx == REPO and os.path.normpath(os.path.join(ctx, b.get("dockerfile", ""))) == DOCKERFILE
    check(ok_build, f"compose: service '{server}' builds docker/Dockerfile with the repository as context")
    clients = [n for n, s in svcs.items() if n != server]
    client = clients[0] if len(clients) == 1 else None
    if not check(client is not None, "compose: exactly one client service"):
        raise Abort("compose file shape")
    c = svcs[client]
    dep = (c.get("depends_on") or {}).get(server, {}) if isinstance(c.get("depends_on"), dict) else {}
    check(dep.get("condition") == "service_healthy", f"compose: '{client}' waits for '{server}' to be healthy")
    img = c.get("image", "")
    check(re.fullmatch(r"[\w./-]+:\d+\.\d+\.\d+", img) is not None, f"compose: client image pinned to a release ({img})")
    cmd = c.get("command")
    check(c.get("entrypoint") == ["/bin/sh", "-ec"] and isinstance(cmd, list) and len(cmd) == 1,
          "compose: client runs one sh -ec script")
    return server, client, c


# ---------------------------------------------------------------------------------------------
# Build


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def log_path(name):
    os.makedirs(os.path.join(WORK, "logs"), exist_ok=True)
    return os.path.join(WORK, "logs", re.sub(r"[^\w.-]", "_", name) + ".log")


def rmtree(path):
    if os.path.lexists(path):
        run(["rm", "-rf", "--one-file-system", path])


def copytree(src, dst):
    rmtree(dst)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    run(["cp", "-a", "--reflink=auto", src, dst])


DOCKER_APT_CONF = {  # what Docker's debian images add to a debootstrap (debuerreotype)
    "etc/apt/apt.conf.d/docker-clean": 'Dir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n',
    "etc/apt/apt.conf.d/docker-gzip-indexes": 'Acquire::GzipIndexes "true";\n',
    "etc/apt/apt.conf.d/docker-no-languages": 'Acquire::Languages "none";\n',
    "etc/apt/apt.conf.d/docker-autoremove-suggests": 'Apt::AutoRemove::SuggestsImportant "false";\n',
    "etc/dpkg/dpkg.cfg.d/docker-apt-speedup": "force-unsafe-io\n",
}
SLIM_EXCLUDES = ["/usr/share/doc/*", "/usr/share/groff/*", "/usr/share/info/*", "/usr/share/linda/*",
                 "/usr/share/lintian/overrides/*", "/usr/share/locale/*", "/usr/share/man/*"]


def base_rootfs(suite, slim):
    """debootstrap minbase of `suite`, prepared like Docker's debian(-slim) image; cached."""
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True).stdout.strip()
    key = f"debian-{suite}{'-slim' if slim else ''}-minbase-{arch}-v2"
    path = os.path.join(CACHE, key)
    if os.path.exists(path + ".ok"):
        return path, key
    step(f"debootstrap --variant=minbase {suite} (first run only; cached in docker/.cache)")
    tmp = path + ".tmp"
    rmtree(tmp)
    rmtree(path)
    for attempt in (1, 2):  # one retry: a download can fail midway
        with open(log_path("debootstrap"), "w") as log:
            r = subprocess.run(["debootstrap", "--variant=minbase", f"--arch={arch}", suite, tmp, MIRROR],
                               stdout=log, stderr=subprocess.STDOUT)
        if r.returncode == 0:
            break
        rmtree(tmp)
    if r.returncode:
        raise Abort(f"debootstrap failed, see {log_path('debootstrap')}")
    # Docker's debian images: deb822 sources for the release, -updates and -security, no lists,
    # apt and dpkg settings, and for -slim no documentation but copyright files.
    files = dict(DOCKER_APT_CONF)
    files["etc/apt/sources.list.d/debian.sources"] = DEBIAN_SOURCES.format(suite=suite)
    if slim:
        files["etc/dpkg/dpkg.cfg.d/docker"] = "".join(f"path-exclude {p}\n" for p in SLIM_EXCLUDES) + \
            "path-include /usr/share/doc/*/copyright\n"
    for rel, text in files.items():
        os.makedirs(os.path.dirname(f"{tmp}/{rel}"), exist_ok=True)
        with open(f"{tmp}/{rel}", "w") as f:
            f.write(text)
    if os.path.exists(f"{tmp}/etc/apt/sources.list"):
        os.remove(f"{tmp}/etc/apt/sources.list")
    run(["sh", "-c", f"rm -rf {tmp}/var/lib/apt/lists/* {tmp}/var/cache/apt/archives/*.deb {tmp}/var/cache/apt/*.bin"])
    if slim:
        run(["sh", "-c", f"cd {tmp} && find usr/share/doc -mindepth 1 ! -type d ! -name copyright -delete && "
                         f"rm -rf usr/share/groff/* usr/share/info/* usr/share/linda/* usr/share/locale/* usr/share/man/*"])
    os.rename(tmp, path)
    open(path + ".ok", "w").close()
    return path, key


# Runs inside fresh namespaces (unshare): Docker's mounts, then "$@" (env -i ... unshare --root ...).
NS_SETUP = r"""
set -e
r=$ROOT
mkdir -p "$r/proc" "$r/dev" "$r/sys"
mount -t proc proc "$r/proc"
mount -t tmpfs -o nosuid,mode=755 tmpfs "$r/dev"
for d in null zero full random urandom tty; do : >"$r/dev/$d"; mount --bind "/dev/$d" "$r/dev/$d"; done
ln -s /proc/self/fd "$r/dev/fd"; mkdir "$r/dev/shm" "$r/dev/pts"
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$r/sys" 2>/dev/null || mount --rbind /sys "$r/sys"
if [ -n "$RESOLV" ]; then [ -e "$r/etc/resolv.conf" ] || : >"$r/etc/resolv.conf"; mount --bind /etc/resolv.conf "$r/etc/resolv.conf"; fi
for v in $VOLUMES; do mkdir -p "$r${v#*:}"; mount --bind "${v%%:*}" "$r${v#*:}"; done
if [ -n "$NETNS" ]; then ip link set lo up; fi
exec "$@"
"""


def ns_command(root, argv, env, wd="/", user=None, net=False, resolv=False, volumes=()):
    """argv run like a container process: returns (Popen args, wrapper environment)."""
    inner = ["env", "-i"] + [f"{k}={v}" for k, v in env.items()]
    inner += ["unshare", f"--root={root}", f"--wd={wd}"]
    if user:
        inner += [f"--setuid={user[0]}", f"--setgid={user[1]}"]
    inner += ["--"] + list(argv)
    outer = ["unshare", "--mount", "--propagation=private", "--pid", "--fork", "--ipc", "--uts"]
    if net:
        outer.append("--net")
    outer += ["--", "/bin/sh", "-c", NS_SETUP, "ns-setup"] + inner
    wenv = {"PATH": CONTAINER_PATH, "ROOT": root, "NETNS": "1" if net else "", "RESOLV": "1" if resolv else "",
            "VOLUMES": " ".join(f"{h}:{c}" for h, c in volumes)}
    return outer, wenv


def inroot(root, path):
    """Host path of `path` inside `root`, resolving symlinks as the chroot would."""
    parts = [p for p in path.split("/") if p]
    cur = []
    hops = 0
    while parts:
        p = parts.pop(0)
        if p == ".":
            continue
        if p == "..":
            if cur:
                cur.pop()
            continue
        host = os.path.join(root, *cur, p)
        if os.path.islink(host):
            hops += 1
            if hops > 40:
                raise Abort(f"symlink loop at {path}")
            t = os.readlink(host)
            if t.startswith("/"):
                cur = []
            parts = [x for x in t.split("/") if x] + parts
            continue
        cur.append(p)
    return os.path.join(root, *cur)


class DockerIgnore:
    def __init__(self, path):
        self.rules = []
        if os.path.exists(path):
            with open(path) as f:
                for line in f:
                    s = line.strip()
                    if not s or s.startswith("#"):
                        continue
                    neg = s.startswith("!")
                    pat = os.path.normpath(s[1:] if neg else s).lstrip("/")
                    self.rules.append((neg, self._regex(pat)))

    @staticmethod
    def _regex(pat):
        out = ""
        i = 0
        while i < len(pat):
            if pat.startswith("**", i):
                out += ".*"
                i += 2
                if pat.startswith("/", i):
                    out = out[:-2] + "(.*/)?"
                    i += 1
            elif pat[i] == "*":
                out += "[^/]*"
                i += 1
            elif pat[i] == "?":
                out += "[^/]"
                i += 1
            else:
                out += re.escape(pat[i])
                i += 1
        return re.compile(out + "$")

    def excluded(self, rel):
        """moby/patternmatcher's rule: the last pattern matching the path or a parent wins."""
        parts = rel.split("/")
        prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
        ex = False
        for neg, rx in self.rules:
            if any(rx.match(p) for p in prefixes):
                ex = not neg
        return ex


class Builder:
    def __init__(self):
        self.ignore = DockerIgnore(os.path.join(REPO, ".dockerignore"))
        self.stage_roots = {}
        self.final = None
        self.used = {"work"}

    def build(self, global_args, stages):
        genv = {}
        for a in global_args:
            k, v = parse_arg(a, genv)
            genv[k] = v or ""
        self.last = stages[-1]
        for st in stages:
            self.build_stage(st, genv)
        for old in set(os.listdir(CACHE)) - self.used:  # earlier base systems and stage caches
            rmtree(os.path.join(CACHE, old))
        return self.final

    def build_stage(self, st, genv):
        label = st.name or ("final" if st is self.last else str(st.index))
        base = expand(st.base, genv)
        root = os.path.join(WORK, "stage-" + label)
        if base == "scratch":
            rmtree(root)
            os.makedirs(root)
            base_key = "scratch"
        else:
            m = PINNED.match(base)
            tag = m.group("tag") if m else ""
            major = re.match(r"(\d+)", tag)
            suite = DEBIAN_SUITES.get(major.group(1)) if major and m.group("name").endswith("debian") else None
            if not suite:
                raise Abort(f"stage {label}: cannot emulate base image {base}")
            base_path, base_key = base_rootfs(suite, "slim" in tag)
            self.used |= {base_key, base_key + ".ok"}
        meta = {"env": {}, "args": {}, "workdir": "/", "user": None, "labels": {}, "expose": [],
                "entrypoint": None, "cmd": None, "healthcheck": None, "stopsignal": None, "root": root}
        # The longest cached prefix: the file system after this stage's first RUN.
        key = hashlib.sha256(f"v1 {base_key} {base}".encode())
        ckpt_at, ckpt_key = None, None
        for n, ins in enumerate(st.instrs):
            key.update(f"\n{ins.kw} {ins.flags} {ins.rest}".encode())
            if ins.kw == "COPY":
                if "from" in ins.flags:
                    break
                for src in shlex.split(ins.rest)[:-1]:
                    self.hash_context(key, src)
            if ins.kw == "RUN":
                ckpt_at, ckpt_key = n, key.hexdigest()[:16]
                break
        ckpt = os.path.join(CACHE, f"stage-{label}-{ckpt_key}") if ckpt_key else None
        if ckpt:
            self.used |= {os.path.basename(ckpt), os.path.basename(ckpt) + ".ok"}
        resume = ckpt is not None and os.path.exists(ckpt + ".ok")
        if resume:
            copytree(ckpt, root)
        elif base != "scratch":
            copytree(base_path, root)
        step(f"stage {label} from {base}" + (" (cached up to its first RUN)" if resume else ""))
        for n, ins in enumerate(st.instrs):
            skip = resume and n <= ckpt_at
            self.apply(ins, meta, genv, skip)
            if ckpt and not resume and n == ckpt_at:
                for old in os.listdir(CACHE):
                    if old.startswith(f"stage-{label}-"):
                        rmtree(os.path.join(CACHE, old))
                copytree(root, ckpt)
                open(ckpt + ".ok", "w").close()
        self.stage_roots[label] = root
        if st.name:
            self.stage_roots[st.name] = root
        self.stage_roots[str(st.index)] = root
        ok(f"stage {label} built")
        self.final = meta

    def hash_context(self, h, src):
        top = os.path.join(REPO, src)
        walk = os.walk(top) if os.path.isdir(top) else [(os.path.dirname(top), [], [os.path.basename(top)])]
        for dirpath, dirs, files in walk:
            dirs[:] = sorted(d for d in dirs if not self.ignore.excluded(os.path.relpath(os.path.join(dirpath, d), REPO)))
            for fn in sorted(files):
                p = os.path.join(dirpath, fn)
                rel = os.path.relpath(p, REPO)
                if self.ignore.excluded(rel) or not os.path.isfile(p):
                    continue
                h.update(f"\n{rel} {os.stat(p).st_mode:o} ".encode())
                with open(p, "rb") as f:
                    h.update(f.read())

    def apply(self, ins, meta, genv, skip):
        env = dict(genv)
        env.update(meta["args"])
        env.update(meta["env"])
        kw = ins.kw
        allowed_flags = {"FROM": set(), "COPY": {"from", "chown"}, "RUN": set(),
                         "HEALTHCHECK": {"interval", "timeout", "start-period", "start-interval", "retries"}}
        if set(ins.flags) - allowed_flags.get(kw, set()):
            raise Abort(f"option not emulated: {ins}")
        if kw == "ARG":
            k, v = parse_arg(ins, env)
            meta["args"][k] = v if v is not None else genv.get(k, "")
        elif kw == "ENV":
            meta["env"].update(parse_kv(ins.rest, env))
        elif kw == "LABEL":
            meta["labels"].update(parse_kv(ins.rest, env))
        elif kw == "WORKDIR":
            wd = expand(ins.rest, env)
            meta["workdir"] = os.path.normpath(os.path.join(meta["workdir"], wd))
            if not skip:
                os.makedirs(inroot(meta["root"], meta["workdir"]), exist_ok=True)
        elif kw == "USER":
            meta["user"] = expand(ins.rest, env)
        elif kw == "EXPOSE":
            meta["expose"] += expand(ins.rest, env).split()
        elif kw == "STOPSIGNAL":
            meta["stopsignal"] = ins.rest
        elif kw in ("ENTRYPOINT", "CMD"):
            if ins.json is None:
                raise Abort(f"shell form not emulated: {ins}")
            meta[kw.lower()] = ins.json
            if kw == "ENTRYPOINT":
                meta["cmd"] = None
        elif kw == "HEALTHCHECK":
            if not ins.rest.startswith("CMD "):
                raise Abort(f"not emulated: {ins}")
            meta["healthcheck"] = json.loads(ins.rest[4:])
        elif kw == "COPY":
            if not skip:
                self.copy(ins, meta, env)
        elif kw == "RUN":
            if not skip:
                self.run_step(ins, meta, env)
        else:
            raise Abort(f"instruction not emulated: {ins}")

    def copy(self, ins, meta, env):
        words = [expand(w, env) for w in shlex.split(ins.rest)]
        srcs, dest = words[:-1], words[-1]
        root = meta["root"]
        dest_abs = os.path.normpath(os.path.join(meta["workdir"], dest))
        as_dir = dest.endswith("/") or len(srcs) > 1
        chown = ins.flags.get("chown")
        if chown is not None and not re.fullmatch(r"\d+:\d+", chown):
            raise Abort(f"--chown must be numeric uid:gid here: {ins}")
        frm = ins.flags.get("from")
        if frm is not None and frm not in self.stage_roots:
            raise Abort(f"COPY --from an image is not emulated: {ins}")
        copied = []
        for src in srcs:
            if frm is not None:
                host_src = inroot(self.stage_roots[frm], src)
            else:
                rel = os.path.normpath(src).lstrip("/")
                if rel.startswith("..") or self.ignore.excluded(rel):
                    raise Abort(f"{src}: not in the build context (.dockerignore?): {ins}")
                host_src = os.path.join(REPO, rel)
            if not os.path.lexists(host_src):
                raise Abort(f"{src}: not found: {ins}")
            if os.path.isdir(host_src):
                target = inroot(root, dest_abs)
                os.makedirs(target, exist_ok=True)
                for name in sorted(os.listdir(host_src)):
                    copied += self.copy_entry(os.path.join(host_src, name), os.path.join(target, name), frm)
            else:
                d = inroot(root, dest_abs)
                if as_dir or os.path.isdir(d):
                    os.makedirs(d, exist_ok=True)
                    d = os.path.join(d, os.path.basename(host_src))
                else:
                    os.makedirs(os.path.dirname(d), exist_ok=True)
                copied += self.copy_entry(host_src, d, frm)
        for p in copied:
            if chown is not None:
                run(["chown", "-hR", chown, p])
            elif frm is None:
                run(["chown", "-hR", "0:0", p])

    def copy_entry(self, src, dst, frm):
        if frm is None and os.path.isdir(src) and not os.path.islink(src):
            # context directory: only what .dockerignore lets through
            os.makedirs(dst, exist_ok=True)
            shutil.copystat(src, dst)
            out = [dst]
            for name in sorted(os.listdir(src)):
                s = os.path.join(src, name)
                if not self.ignore.excluded(os.path.relpath(s, REPO)):
                    self.copy_entry(s, os.path.join(dst, name), frm)
            return out
        if os.path.isdir(dst) and not os.path.islink(dst) and os.path.isdir(src) and not os.path.islink(src):
            run(["cp", "-a", "--reflink=auto", src + "/.", dst])
        else:
            if os.path.lexists(dst) and not os.path.isdir(dst):
                os.remove(dst)
            run(["cp", "-a", "--reflink=auto", src, dst])
        return [dst]

    def run_step(self, ins, meta, env):
        if ins.json is not None:
            raise Abort(f"exec-form RUN not emulated: {ins}")
        cenv = {"PATH": CONTAINER_PATH, "HOME": "/root", "HOSTNAME": "build"}
        cenv.update(meta["args"])
        cenv.update(meta["env"])
        argv, wenv = ns_command(meta["root"], ["/bin/sh", "-c", ins.rest], cenv, wd=meta["workdir"], resolv=True)
        print(f"   RUN {ins.rest[:100]}", flush=True)
        t0 = time.time()
        lp = log_path(f"run-line{ins.line}")
        with open(lp, "w") as log:
            r = subprocess.run(argv, env=wenv, stdout=log, stderr=subprocess.STDOUT)
        if r.returncode:
            with open(lp) as f:
                sys.stdout.write("".join(f.readlines()[-30:]))
            raise Abort(f"RUN failed with exit code {r.returncode} (log: {lp}): {ins}")
        print(f"   ... {time.time() - t0:.1f} s", flush=True)


# ---------------------------------------------------------------------------------------------
# Image checks


def image_checks(img, runtime_root):
    step("image")
    root = img["root"]
    tar_path = os.path.join(WORK, "image.tar")
    with tarfile.open(tar_path, "w", format=tarfile.PAX_FORMAT) as t:
        for name in sorted(os.listdir(root)):
            t.add(os.path.join(root, name), arcname=name)
    raw = os.path.getsize(tar_path)
    with open(tar_path, "rb") as f, open(tar_path + ".gz", "wb") as g:
        with gzip.GzipFile(fileobj=g, mode="wb", compresslevel=6, mtime=0) as z:
            shutil.copyfileobj(f, z, 1 << 20)
    gz = os.path.getsize(tar_path + ".gz")
    du = subprocess.run(["du", "-sk", root], capture_output=True, text=True).stdout.split()[0]
    files = []
    for dp, _, fns in os.walk(root):
        for fn in fns:
            p = os.path.join(dp, fn)
            if os.path.isfile(p) and not os.path.islink(p):
                files.append((os.path.getsize(p), "/" + os.path.relpath(p, root)))
    files.sort(reverse=True)
    print(f"   image file system: {raw / 1e6:.1f} MB as a tar (what `docker images` shows), "
          f"{gz / 1e6:.1f} MB gzipped (the download), du {int(du) / 1024:.1f} MiB, {len(files)} files")
    for size, p in files[:6]:
        print(f"     {size / 1e6:6.2f} MB  {p}")
    check(raw <= SIZE_LIMIT, f"image size {raw / 1e6:.1f} MB <= {SIZE_LIMIT / 1e6:.0f} MB")
    os.remove(tar_path)
    os.remove(tar_path + ".gz")

    uid, gid = (int(x) for x in (img["user"] + ":" + img["user"]).split(":")[:2])
    with open(os.path.join(root, "etc/passwd")) as f:
        pw = {l.split(":")[0]: l.split(":") for l in f if l.strip()}
    check("dynarock" in pw and int(pw["dynarock"][2]) == uid and int(pw["dynarock"][3]) == gid,
          f"/etc/passwd's dynarock user is the Dockerfile's USER {img['user']}")
    setuid, foreign = [], []
    for dp, dns, fns in os.walk(root):
        for n in dns + fns:
            p = os.path.join(dp, n)
            st = os.lstat(p)
            if st.st_mode & 0o6000 and not os.path.islink(p):
                setuid.append(p)
            if st.st_uid not in (0, uid):
                foreign.append(p)
    check(not setuid, f"no setuid/setgid files {setuid[:3]}")
    check(not foreign, f"every file owned by root or the USER {foreign[:3]}")
    for d in (img["workdir"], "/data", img["workdir"] + "/data"):
        st = os.stat(inroot(root, d))
        check(st.st_uid == uid, f"{d} is writable by the USER (owner {st.st_uid})")
    check(not os.path.exists(os.path.join(root, "var/lib/apt")), "no apt state in the image")
    lists = os.path.join(runtime_root, "var/lib/apt/lists")
    left = [n for n in os.listdir(lists)] if os.path.isdir(lists) else []
    check(not left, f"no apt lists left in the runtime stage {left[:3]}")

    # Every library the binary links directly comes from a listed package (or libc6).
    binary = os.path.join(root, "usr/local/bin/dynarock")
    out = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True).stdout
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)
    listed = set(read_list("packages-runtime.txt")) | {"libc6"}
    cache = subprocess.run(["chroot", runtime_root, "ldconfig", "-p"], capture_output=True, text=True).stdout
    paths = dict(re.findall(r"^\s*(\S+) \(.*?\) => (\S+)$", cache, re.M))
    missing = []
    for so in needed:
        pkg = ""
        if so in paths:
            real = "/" + os.path.relpath(os.path.realpath(inroot(runtime_root, paths[so])), runtime_root)
            for cand in (paths[so], real, real.replace("/usr/lib/", "/lib/", 1)):
                r = subprocess.run(["chroot", runtime_root, "dpkg", "-S", cand], capture_output=True, text=True)
                if r.returncode == 0:
                    pkg = r.stdout.split(":")[0].strip()
                    break
        if pkg not in listed:
            missing.append(f"{so} ({pkg or 'no package'})")
    check(needed and not missing,
          f"every DT_NEEDED library ({len(needed)}) comes from docker/packages-runtime.txt {missing}")


# ---------------------------------------------------------------------------------------------
# Containers


class Container:
    count = 0

    def __init__(self, img, args=None, entrypoint=None, volumes=()):
        Container.count += 1
        self.img = img
        self.name = f"c{Container.count}"
        self.root = os.path.join(WORK, "containers", self.name)
        copytree(img["root"], self.root)
        user = img["user"].split(":")
        self.uid, self.gid = int(user[0]), int(user[1] if len(user) > 1 else user[0])
        with open(os.path.join(self.root, "etc/passwd")) as f:
            home = next((l.split(":")[5] for l in f if l.split(":")[2] == str(self.uid)), "/")
        self.env = {"PATH": CONTAINER_PATH, "HOSTNAME": self.name, "HOME": home}
        self.env.update(img["env"])
        ep = entrypoint if entrypoint is not None else (img["entrypoint"] or [])
        argv = ep + (list(args) if args is not None else (img["cmd"] or []))
        cmd, wenv = ns_command(self.root, argv, self.env, wd=img["workdir"], user=(self.uid, self.gid),
                               net=True, volumes=volumes)
        self.out_path = log_path(f"container-{self.name}")
        self.out = open(self.out_path, "w")
        self.t0 = time.time()
        self.proc = subprocess.Popen(cmd, env=wenv, stdout=self.out, stderr=subprocess.STDOUT)
        self.pid = None
        for _ in range(200):  # the host PID of the container's PID 1: unshare's only child
            try:
                with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") as f:
                    kids = f.read().split()
            except OSError:
                kids = []
            if kids:
                self.pid = int(kids[0])
                break
            if self.proc.poll() is not None:
                break
            time.sleep(0.01)

    def nsenter(self, argv, as_user=True, **kw):
        cmd = ["nsenter", f"--target={self.pid}", "--mount", "--uts", "--ipc", "--net", "--pid", "--root", "--wd"]
        if as_user:
            cmd += [f"--setuid={self.uid}", f"--setgid={self.gid}"]
        return subprocess.run(["env", "-i"] + [f"{k}={v}" for k, v in self.env.items()] + cmd + ["--"] + argv,
                              capture_output=True, text=True, **kw)

    def in_net(self, argv, env=None, **kw):
        """A host program inside the container's network namespace (like a client on the same network)."""
        return subprocess.run(["nsenter", f"--target={self.pid}", "--net", "--"] + argv,
                              capture_output=True, text=True, env=env, **kw)

    def healthy(self):
        r = self.nsenter(self.img["healthcheck"], timeout=5)
        return r.returncode == 0

    def wait_healthy(self, limit=10.0):
        while time.time() - self.t0 < limit:
            if self.proc.poll() is not None:
                return None
            if self.pid and self.healthy():
                return time.time() - self.t0
            time.sleep(0.05)
        return None

    def ddb(self, op, body):
        r = self.in_net(["curl", "-sS", "-m", "5", "-X", "POST", "-H", "Content-Type: application/x-amz-json-1.0",
                         "-H", f"X-Amz-Target: DynamoDB_20120810.{op}", "--data-binary", json.dumps(body),
                         "http://127.0.0.1:8000/"])
        try:
            return json.loads(r.stdout)
        except ValueError:
            return {"error": r.stdout + r.stderr}

    def stop(self):
        """docker stop: the STOPSIGNAL to PID 1, SIGKILL after the grace period."""
        sig = getattr(signal, self.img["stopsignal"] or "SIGTERM")
        t0 = time.time()
        if self.pid and self.proc.poll() is None:
            os.kill(self.pid, sig)
        try:
            rc = self.proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()
            rc = None
        self.out.close()
        return rc, time.time() - t0

    def wait(self, limit=10.0):
        try:
            rc = self.proc.wait(limit)
        except subprocess.TimeoutExpired:
            self.kill()
            rc = None
        self.out.close()
        return rc

    def kill(self):
        for p in (self.pid, self.proc.pid):
            if p:
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
        self.proc.wait()

    def output(self):
        with open(self.out_path) as f:
            return f.read()


def make_volume(img, name, mountpoint):
    """A new named volume: Docker copies the image's content and owner at the mount point into it."""
    vol = os.path.join(WORK, "volumes", name)
    rmtree(vol)
    os.makedirs(os.path.dirname(vol), exist_ok=True)
    src = inroot(img["root"], mountpoint)
    if os.path.isdir(src):
        run(["cp", "-a", src, vol])
    else:
        os.makedirs(vol)
    return vol


def tree(root):
    out = {}
    for dp, dns, fns in os.walk(root):
        rel = os.path.relpath(dp, root)
        if rel.split("/")[0] in ("proc", "dev", "sys"):
            dns[:] = []
            continue
        for n in fns:
            p = os.path.join(dp, n)
            st = os.lstat(p)
            out[os.path.relpath(p, root)] = (st.st_size, st.st_mtime_ns)
    return out


MUSIC = {"TableName": "Tracks",
         "AttributeDefinitions": [{"AttributeName": "Artist", "AttributeType": "S"},
                                  {"AttributeName": "Song", "AttributeType": "S"}],
         "KeySchema": [{"AttributeName": "Artist", "KeyType": "HASH"},
                       {"AttributeName": "Song", "KeyType": "RANGE"}],
         "BillingMode": "PAY_PER_REQUEST"}
ITEM = {"Artist": {"S": "Arturo"}, "Song": {"S": "Tango"}, "Year": {"N": "1998"}}
KEY = {"Artist": {"S": "Arturo"}, "Song": {"S": "Tango"}}


def containers(img, compose):
    started = []

    def start(*a, **kw):
        c = Container(img, *a, **kw)
        started.append(c)
        return c

    try:
        _containers(img, compose, start)
    finally:
        for c in started:
            if c.proc.poll() is None:
                c.kill()


def _containers(img, compose, start):
    step("docker run IMAGE   (the defaults: 0.0.0.0:8000, in memory)")
    check(img["expose"] == ["8000"] and img["healthcheck"], "image exposes 8000 and has a health check")
    c = start()
    t = c.wait_healthy()
    if not check(t is not None, f"healthy {t:.2f} s after start (health check in the container)" if t else
                 f"healthy within 10 s; output: {c.output()[-400:]}"):
        raise Abort("server did not become healthy")
    with open(f"/proc/{c.pid}/status") as f:
        uids = next(l.split()[1:] for l in f if l.startswith("Uid:"))
    check(set(uids) == {str(c.uid)}, f"PID 1 runs as uid {c.uid} ({' '.join(uids)})")
    cmdline = open(f"/proc/{c.pid}/cmdline").read().split("\0")
    check(cmdline[:4] == ["/usr/local/bin/dynarock", "--host", "0.0.0.0", "--in-memory"],
          f"PID 1 is dynarock --host 0.0.0.0 --in-memory ({' '.join(cmdline).strip()})")
    created = c.ddb("CreateTable", MUSIC)
    check(created.get("TableDescription", {}).get("TableName") == "Tracks", f"CreateTable from the host {str(created)[:200]}")
    put = c.ddb("PutItem", {"TableName": "Tracks", "Item": ITEM})
    check(put == {}, f"PutItem {put or ''}")
    got = c.ddb("GetItem", {"TableName": "Tracks", "Key": KEY, "ConsistentRead": True})
    check(got == {"Item": ITEM}, "GetItem returns the item" + ("" if got == {"Item": ITEM} else f" {got}"))

    # The compose file's client script, with the host's AWS CLI, against this container.
    server, client, svc = compose
    script = svc["command"][0].replace("$$", "$").replace(f"http://{server}:8000", "http://127.0.0.1:8000")
    home = tempfile.mkdtemp(prefix="awscli-home-", dir=WORK)
    aws = "/usr/bin/aws" if os.path.exists("/usr/bin/aws") else shutil.which("aws")
    env = {"PATH": os.path.dirname(aws) + ":/usr/bin:/bin", "HOME": home}
    env.update({k: str(v) for k, v in (svc.get("environment") or {}).items()})
    r = c.in_net(["/bin/sh", "-ec", script], env=env, timeout=120)
    check(r.returncode == 0, f"docker-compose.yml's check script passes with {aws}: {r.stdout.strip()}"
          + ("" if r.returncode == 0 else f" (exit {r.returncode}) {r.stderr[-300:]}"))

    before = tree(img["root"])
    rc, secs = c.stop()
    check(rc == 0, f"docker stop: exit code {rc} after {secs:.2f} s (SIGTERM, limit {STOP_TIMEOUT:.0f} s)")
    check("stopped cleanly" in c.output(), "the server logged a clean shutdown")
    changed = sorted(k for k, v in tree(c.root).items() if before.get(k) != v)
    check(not changed, f"in memory: nothing written to the container's file system {changed[:5]}")

    step("docker run -v VOLUME:/home/dynamodblocal/data IMAGE -jar DynamoDBLocal.jar -sharedDb -dbPath ./data")
    vol = make_volume(img, "ddblocal", img["workdir"] + "/data")
    args = ["-jar", "DynamoDBLocal.jar", "-sharedDb", "-dbPath", "./data", "-port", "8000"]
    c = start(args, volumes=[(vol, img["workdir"] + "/data")])
    t = c.wait_healthy()
    check(t is not None, "healthy with DynamoDB Local's flags" + (f" after {t:.2f} s" if t else f": {c.output()[-300:]}"))
    c.ddb("CreateTable", MUSIC)
    check(c.ddb("PutItem", {"TableName": "Tracks", "Item": ITEM}) == {}, "PutItem")
    rc, secs = c.stop()
    check(rc == 0, f"stopped cleanly in {secs:.2f} s")
    c = start(args, volumes=[(vol, img["workdir"] + "/data")])
    check(c.wait_healthy() is not None, "healthy again on the same volume")
    got = c.ddb("GetItem", {"TableName": "Tracks", "Key": KEY})
    check(got == {"Item": ITEM}, "the item survived the restart" + ("" if got == {"Item": ITEM} else f" {got}"))
    c.stop()
    owners = {os.lstat(os.path.join(dp, n)).st_uid for dp, dns, fns in os.walk(vol) for n in dns + fns}
    check(owners == {c.uid}, f"the volume's files belong to uid {c.uid} ({owners})")

    step("docker run -v VOLUME:/data IMAGE --data-dir /data")
    vol = make_volume(img, "data", "/data")
    c = start(["--data-dir", "/data"], volumes=[(vol, "/data")])
    check(c.wait_healthy() is not None, "healthy with --data-dir /data")
    c.ddb("CreateTable", MUSIC)
    rc, _ = c.stop()
    check(rc == 0 and os.path.exists(os.path.join(vol, "CURRENT")), "RocksDB files written to the volume")

    step("other command lines")
    c = start(["--version"])
    rc = c.wait()
    check(rc == 0 and c.output().strip().startswith("dynarock "), f"IMAGE --version: {c.output().strip()}")
    c = start(["sh", "-c", 'while read -r k v r; do [ "$k" = Uid: ] && echo "$v $PWD"; done </proc/self/status'])
    rc = c.wait()
    want = f"{c.uid} {img['workdir']}"
    check(rc == 0 and c.output().strip() == want, f"IMAGE sh -c ... runs the command: {c.output().strip()!r}")
    c = start([], entrypoint=img["healthcheck"])
    rc = c.wait()
    check(rc == 1, f"the health check fails when nothing listens (exit {rc})")


# ---------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--keep", action="store_true", help="keep docker/.cache/work (stages, containers, logs)")
    ap.add_argument("--chroot", action="store_true", help="the chroot emulation even where podman can run")
    opts = ap.parse_args()
    t0 = time.time()
    try:
        with open(DOCKERFILE) as f:
            global_args, stages = parse_dockerfile(f.read())
        lint(global_args, stages)
        compose = lint_compose()
        rmtree(WORK)
        os.makedirs(WORK)
        # [issue 19] a real engine (podman + buildah, docker/verify_engine.py) wherever one can run
        eng, why = (None, "--chroot asked") if opts.chroot else verify_engine.available(CACHE, log_path, base_rootfs)
        if eng:
            rev = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True,
                                 text=True).stdout.strip() or "unknown"
            try:
                verify_engine.run(eng, check, step, REPO, compose, rev)
            except RuntimeError as e:
                raise Abort(str(e))
            return finish(t0, opts)
        print(f"NOTE: no container engine can run here ({why}): the image is built and run by the chroot "
              "emulation below instead (the same checks, without podman's own execution of the Dockerfile)")
        b = Builder()
        img = b.build(global_args, stages)
        src = next(i.flags["from"] for i in stages[-1].instrs if i.kw == "COPY" and "from" in i.flags)
        runtime = b.stage_roots[src]  # the stage the image's files come from
        image_checks(img, runtime)
        containers(img, compose)
    except Abort as e:
        fail(f"stopped: {e}")
    except subprocess.CalledProcessError as e:
        fail(f"stopped: {e}")
    return finish(t0, opts)


def finish(t0, opts):
    if not opts.keep and failed == 0:
        rmtree(WORK)
    print(f"   ({time.time() - t0:.0f} s)")
    print(f"docker-verify: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
