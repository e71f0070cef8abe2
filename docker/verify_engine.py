"""verify_engine: build and run the image with a real engine (podman + buildah from Debian 12).

Called by docker/verify.py (as root) after its lint. What it does, each step printing ok/FAIL lines
through verify.py's check():

1. Engine. podman with runc (crun fails on these VMs' cgroups), cgroupfs, file events, and the
   ulimits the machine allows (docker/.cache/containers.conf, through CONTAINERS_CONF). `available()`
   says why not when podman cannot run a container here; verify.py then falls back to its chroot
   emulation and says so.
2. Base. No registry is reachable: the debootstrap Debian 12 slim base that verify.py builds
   (base_rootfs) is imported once (`podman import`) as localhost/dynarock-debian:12-slim and passed
   as the DEBIAN_IMAGE build argument, so the Dockerfile's FROM lines are used unchanged.
3. Build. `podman build --format docker` (buildah 1.28) of docker/Dockerfile; podman's layer cache
   keeps the package-install layers between runs. Size of the image (podman's figure) against the
   limit, and its largest files.
4. Run. The container as `docker run` would: health check (the image's HEALTHCHECK, run by `podman
   healthcheck run`), non-root PID 1, the AWS CLI from the host creating a table and an item, the
   compose file's check script, `podman stop` (SIGTERM) with exit 0 and a clean-stop log line; a
   named volume with DynamoDB Local's command line, stopped and started again, the item read back;
   the volume's files owned by the image's user; DYNAROCK_* variables; the command lines and wait
   strategies of the Testcontainers modules (Go: `java` entrypoint and the in-container port check;
   .NET: GET / answering 400; Java and Node: the port check).
"""
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
import urllib.error

BASE_TAG = "localhost/dynarock-debian:12-slim"
IMAGE = "localhost/dynarock:verify"
SIZE_LIMIT = 20_500_000  # bytes, podman's image size (20.1 MB now; issue 19 asks for 15: docs/operations.md, "Image size")
PREFIX = "dynarock-verify-"
ITEM = {"Artist": {"S": "Arturo"}, "Song": {"S": "Tango"}, "Year": {"N": "1998"}}
KEY = {"Artist": {"S": "Arturo"}, "Song": {"S": "Tango"}}
# The in-container listening-port check of testcontainers-go and testcontainers-java (HostPortWaitStrategy's
# internal check), for port 8000 (0x1F40): the image has no cat, awk, grep or bash, and its /bin/sh (dash)
# runs OpenBSD's nc, the second alternative, which answers.
# the user id and working directory with dash's builtins alone (no id or coreutils in the image)
UID_PWD = 'while read -r k v r; do [ "$k" = Uid: ] && echo "$v $PWD"; done </proc/self/status'
PORT_CHECK = ("true && (cat /proc/net/tcp* | awk '{print $2}' | grep -i ':0*1F40' || nc -vz -w 1 localhost 8000 "
              "|| /bin/bash -c '</dev/tcp/localhost/8000')")


class Engine:
    def __init__(self, cache, log_path):
        self.cache = cache
        self.log_path = log_path
        self.conf = os.path.join(cache, "containers.conf")
        os.makedirs(cache, exist_ok=True)
        nofile = min(int(subprocess.run(["sh", "-c", "ulimit -Hn"], capture_output=True, text=True).stdout or 1024),
                     1048576)
        # runc cannot raise a limit without CAP_SYS_RESOURCE; podman's defaults (nofile 1048576, nproc
        # 4194304) fail here with "error setting rlimit type 7/6", so ask for what the machine has.
        with open(self.conf, "w") as f:
            f.write("[containers]\n"
                    f'default_ulimits = ["nofile={nofile}:{nofile}", "nproc=32768:32768"]\n'
                    "[engine]\n"
                    'cgroup_manager = "cgroupfs"\nevents_logger = "file"\nruntime = "runc"\n')
        self.env = dict(os.environ, CONTAINERS_CONF=self.conf)

    def podman(self, *args, check=False, timeout=600, log=None, **kw):
        r = subprocess.run(["podman", *args], capture_output=True, text=True, env=self.env, timeout=timeout, **kw)
        if log:
            with open(self.log_path(log), "a") as f:
                f.write(f"$ podman {' '.join(args)}\n{r.stdout}{r.stderr}\n")
        if check and r.returncode != 0:
            raise RuntimeError(f"podman {' '.join(args[:3])}: {r.stderr.strip()[-400:]}")
        return r

    def cleanup(self):
        names = [n for n in self.podman("ps", "-a", "--format", "{{.Names}}").stdout.split() if n.startswith(PREFIX)]
        # and what an interrupted Testcontainers run left (no Ryuk to reap it)
        names += self.podman("ps", "-a", "--filter", "label=org.testcontainers", "--format",
                             "{{.Names}}").stdout.split()
        for n in names:
            self.podman("rm", "-f", "-t", "0", n)
        for v in self.podman("volume", "ls", "--format", "{{.Name}}").stdout.split():
            if v.startswith(PREFIX):
                self.podman("volume", "rm", "-f", v)


def available(cache, log_path, base_rootfs):
    """(Engine, None) when podman can run a container here, else (None, reason)."""
    if not shutil.which("podman") or not shutil.which("runc"):
        return None, "podman or runc is not installed"
    eng = Engine(cache, log_path)
    try:
        if eng.podman("image", "exists", BASE_TAG).returncode != 0:
            path, _ = base_rootfs("bookworm", True)
            tar = subprocess.Popen(["tar", "-C", path, "-c", "."], stdout=subprocess.PIPE)
            r = subprocess.run(["podman", "import", "--change", "CMD [\"bash\"]", "-", BASE_TAG], stdin=tar.stdout,
                               capture_output=True, text=True, env=eng.env)
            tar.wait()
            if r.returncode != 0:
                return None, f"podman import failed: {r.stderr.strip()[-300:]}"
        r = eng.podman("run", "--rm", "--network", "none", BASE_TAG, "/bin/true", timeout=120)
        if r.returncode != 0:
            return None, f"podman cannot run a container: {r.stderr.strip()[-300:]}"
    except (OSError, subprocess.SubprocessError) as e:
        return None, f"podman: {e}"
    return eng, None


def http(url, method="GET", body=None, headers=None, timeout=5):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


class Box:
    """One container, published on a free loopback port."""

    def __init__(self, eng, name, args=(), run_opts=()):
        self.eng = eng
        self.name = PREFIX + name
        self.eng.podman("rm", "-f", "-t", "0", self.name)
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.t0 = time.time()
        r = eng.podman("run", "-d", "--name", self.name, "-p", f"127.0.0.1:{self.port}:8000", *run_opts, IMAGE,
                       *args, log="containers")
        self.started = r.returncode == 0
        self.error = r.stderr.strip()[-300:]
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_healthy(self, limit=15.0):
        while time.time() - self.t0 < limit:
            if self.eng.podman("healthcheck", "run", self.name).returncode == 0:
                return time.time() - self.t0
            state = self.eng.podman("inspect", "--format", "{{.State.Status}}", self.name).stdout.strip()
            if state in ("exited", "stopped"):
                return None
            time.sleep(0.1)
        return None

    def ddb(self, op, body):
        st, out = http(self.url, "POST", json.dumps(body).encode(), {
            "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": f"DynamoDB_20120810.{op}"})
        try:
            return json.loads(out)
        except ValueError:
            return {"error": out[:200]}

    def exec(self, *argv):
        return self.eng.podman("exec", self.name, *argv)

    def stop(self):
        t0 = time.time()
        self.eng.podman("stop", "-t", "10", self.name, timeout=30)
        secs = time.time() - t0
        rc = self.eng.podman("inspect", "--format", "{{.State.ExitCode}}", self.name).stdout.strip()
        return (int(rc) if rc.lstrip("-").isdigit() else None), secs

    def logs(self):
        r = self.eng.podman("logs", self.name)
        return r.stdout + r.stderr

    def rm(self):
        self.eng.podman("rm", "-f", "-t", "0", self.name)


def aws_cli(url, *args, env_extra=None):
    home = tempfile.mkdtemp(prefix="awscli-home-")
    env = {"PATH": "/usr/bin:/bin", "HOME": home, "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
           "AWS_DEFAULT_REGION": "us-east-1"}
    env.update(env_extra or {})
    try:
        return subprocess.run(["aws", "dynamodb", "--endpoint-url", url, *args], capture_output=True, text=True,
                              env=env, timeout=120)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def run(eng, check, step, repo, compose, revision):
    t0 = time.time()
    eng.cleanup()
    try:
        _run(eng, check, step, repo, compose, revision)
    finally:
        eng.cleanup()
    print(f"   (real engine: {time.time() - t0:.0f} s)")


def _run(eng, check, step, repo, compose, revision):
    versions = subprocess.run(["buildah", "--version"], capture_output=True, text=True).stdout.split()[:3]
    step(f"podman build ({' '.join(versions)}, base {BASE_TAG} from debootstrap)")
    context = os.environ.get("DYNAROCK_VERIFY_CONTEXT") or repo
    t = time.time()
    r = eng.podman("build", "--format", "docker", "-f", os.path.join(repo, "docker", "Dockerfile"),
                   "--build-arg", f"DEBIAN_IMAGE={BASE_TAG}", "--build-arg", f"REVISION={revision}",
                   "-t", IMAGE, context, timeout=1800, log="podman-build")
    if not check(r.returncode == 0, f"podman build -f docker/Dockerfile: {time.time() - t:.0f} s"
                 + ("" if r.returncode == 0 else f": {r.stderr.strip()[-600:]}")):
        raise RuntimeError("the image did not build")
    info = json.loads(eng.podman("image", "inspect", IMAGE, check=True).stdout)[0]
    size = int(info["Size"])
    check(size <= SIZE_LIMIT, f"image size {size / 1e6:.1f} MB (limit {SIZE_LIMIT / 1e6:.1f} MB)")
    cfg = info["Config"]
    check(cfg.get("User") == "10001:10001", f"USER {cfg.get('User')}")
    hc = (info.get("Healthcheck") or cfg.get("Healthcheck") or {}).get("Test") or []
    check(hc == ["CMD", "/usr/local/bin/docker-healthcheck"], f"HEALTHCHECK kept in the image (docker format) {hc}")
    labels = cfg.get("Labels") or {}
    check(labels.get("org.opencontainers.image.revision") == revision,
          f"label org.opencontainers.image.revision={labels.get('org.opencontainers.image.revision')}")
    largest(eng)

    step("podman run IMAGE   (the defaults: 0.0.0.0:8000, in memory)")
    c = Box(eng, "default")
    secs = c.wait_healthy()
    if not check(secs is not None, f"healthy {secs:.2f} s after start (podman healthcheck run)" if secs else
                 f"healthy within 15 s: {c.error} {c.logs()[-400:]}"):
        raise RuntimeError("the container did not become healthy")
    top = eng.podman("top", c.name, "user", "pid", "args").stdout.split("\n")[1].split()
    check(top[:2] == ["dynarock", "1"], f"PID 1 runs as the non-root user dynarock ({' '.join(top)})")
    uid = c.exec("sh", "-c", UID_PWD).stdout.strip().split(" ")[0]
    check(uid == "10001", f"podman exec runs as uid {uid}")
    check(top[2:] == ["/usr/local/bin/dynarock", "--host", "0.0.0.0", "--in-memory"],
          f"PID 1: {' '.join(top[2:])}")
    st, body = http(c.url)
    check(st == 400 and b"#MissingAuthenticationToken" in body,
          f"GET / answers as DynamoDB Local does (what Testcontainers' .NET module waits for): {st} {body[:80]!r}")
    r = aws_cli(c.url, "create-table", "--table-name", "Music", "--attribute-definitions",
                "AttributeName=Artist,AttributeType=S", "AttributeName=Song,AttributeType=S", "--key-schema",
                "AttributeName=Artist,KeyType=HASH", "AttributeName=Song,KeyType=RANGE", "--billing-mode",
                "PAY_PER_REQUEST", "--query", "TableDescription.TableName", "--output", "text")
    check(r.returncode == 0 and r.stdout.strip() == "Music", f"aws dynamodb create-table: {r.stdout.strip()}"
          + ("" if r.returncode == 0 else r.stderr[-300:]))
    r = aws_cli(c.url, "put-item", "--table-name", "Music", "--item", json.dumps(ITEM))
    check(r.returncode == 0, "aws dynamodb put-item" + ("" if r.returncode == 0 else r.stderr[-300:]))
    r = aws_cli(c.url, "get-item", "--table-name", "Music", "--key", json.dumps(KEY), "--consistent-read")
    got = json.loads(r.stdout or "{}").get("Item")
    check(got == ITEM, f"aws dynamodb get-item returns the item {got if got != ITEM else ''}")

    server, client, svc = compose  # the compose file's check script, with the host's AWS CLI
    script = svc["command"][0].replace("$$", "$").replace(f"http://{server}:8000", c.url)
    env = {"PATH": "/usr/bin:/bin", "HOME": tempfile.mkdtemp(prefix="awscli-home-")}
    env.update({k: str(v) for k, v in (svc.get("environment") or {}).items()})
    r = subprocess.run(["/bin/sh", "-ec", script.replace("--table-name Music", "--table-name ComposeMusic")],
                       capture_output=True, text=True, env=env, timeout=180)
    check(r.returncode == 0, f"docker-compose.yml's check script: {r.stdout.strip()}"
          + ("" if r.returncode == 0 else f" (exit {r.returncode}) {r.stderr[-300:]}"))
    rc, secs = c.stop()
    check(rc == 0, f"podman stop (SIGTERM): exit code {rc} after {secs:.2f} s")
    logs = c.logs()
    check("stopped cleanly" in logs, "the server logged a clean shutdown")
    check(logs.startswith("Initializing DynamoDB Local with the following configuration:\nPort:\t8000\n"
                          "InMemory:\ttrue\nDbPath:\tnull\nSharedDb:\ttrue\n"),
          "DynamoDB Local's first lines, then dynarock's: " + repr(logs[:120]))
    c.rm()

    step("podman run -v VOLUME:/home/dynamodblocal/data IMAGE -jar DynamoDBLocal.jar -sharedDb -dbPath ./data")
    vol = PREFIX + "ddblocal"
    eng.podman("volume", "create", vol, check=True)
    args = ["-jar", "DynamoDBLocal.jar", "-sharedDb", "-dbPath", "./data", "-port", "8000"]
    c = Box(eng, "vol1", args, ["-v", f"{vol}:/home/dynamodblocal/data"])
    check(c.wait_healthy() is not None, "healthy with DynamoDB Local's flags" + ("" if c.started else c.error))
    r = aws_cli(c.url, "create-table", "--table-name", "Music", "--attribute-definitions",
                "AttributeName=Artist,AttributeType=S", "AttributeName=Song,AttributeType=S", "--key-schema",
                "AttributeName=Artist,KeyType=HASH", "AttributeName=Song,KeyType=RANGE", "--billing-mode",
                "PAY_PER_REQUEST")
    r2 = aws_cli(c.url, "put-item", "--table-name", "Music", "--item", json.dumps(ITEM))
    check(r.returncode == 0 and r2.returncode == 0, "create-table and put-item on the volume")
    rc, secs = c.stop()
    check(rc == 0 and "stopped cleanly" in c.logs(), f"stopped cleanly (SIGTERM) in {secs:.2f} s")
    c.rm()
    c = Box(eng, "vol2", args, ["-v", f"{vol}:/home/dynamodblocal/data"])
    check(c.wait_healthy() is not None, "healthy again on the same volume")
    r = aws_cli(c.url, "get-item", "--table-name", "Music", "--key", json.dumps(KEY))
    got = json.loads(r.stdout or "{}").get("Item")
    check(got == ITEM, "the item survived the restart" + ("" if got == ITEM else f" {r.stdout}{r.stderr[-200:]}"))
    c.stop()
    c.rm()
    mp = eng.podman("volume", "inspect", "--format", "{{.Mountpoint}}", vol).stdout.strip()
    owners = {os.lstat(os.path.join(dp, n)).st_uid for dp, dns, fns in os.walk(mp) for n in dns + fns}
    check(owners == {10001}, f"the volume's files belong to uid 10001 ({owners})")

    step("DYNAROCK_* variables")
    vol = PREFIX + "data"
    eng.podman("volume", "create", vol, check=True)
    c = Box(eng, "env", (), ["-e", "DYNAROCK_DATA_DIR=/data", "-e", "DYNAROCK_HEALTH_ANSWER=aws", "-v", f"{vol}:/data"])
    check(c.wait_healthy() is not None, "healthy with DYNAROCK_DATA_DIR=/data DYNAROCK_HEALTH_ANSWER=aws")
    st, body = http(c.url)
    check((st, body) == (200, b"healthy: dynamodb.us-east-1.amazonaws.com "), f"GET / answers AWS's 200: {st} {body!r}")
    top = eng.podman("top", c.name, "args").stdout.split("\n")[1].split()
    check(top == ["/usr/local/bin/dynarock", "--host", "0.0.0.0"], f"no --in-memory added: {' '.join(top)}")
    c.ddb("CreateTable", {"TableName": "Tracks", "BillingMode": "PAY_PER_REQUEST",
                          "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
                          "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}]})
    c.stop()
    c.rm()
    mp = eng.podman("volume", "inspect", "--format", "{{.Mountpoint}}", vol).stdout.strip()
    check(os.path.exists(os.path.join(mp, "CURRENT")), "RocksDB files written to the DYNAROCK_DATA_DIR volume")

    step("Testcontainers modules' command lines and wait strategies")
    # testcontainers-go modules/dynamodb: entrypoint java -Djava.library.path=./DynamoDBLocal_lib, command
    # -jar DynamoDBLocal.jar [-inMemory -sharedDb ...], wait.ForListeningPort(8000/tcp)
    c = Box(eng, "go", ["-jar", "DynamoDBLocal.jar", "-inMemory", "-sharedDb"],
            ["--entrypoint", '["java", "-Djava.library.path=./DynamoDBLocal_lib"]'])
    check(c.wait_healthy() is not None, "Go module: entrypoint java, command -jar DynamoDBLocal.jar -inMemory -sharedDb"
          + ("" if c.started else c.error))
    r = c.exec("/bin/sh", "-c", PORT_CHECK)
    check(r.returncode == 0, "the in-container port check of testcontainers-go and -java exits 0")
    check(c.ddb("ListTables", {}) == {"TableNames": []}, "ListTables through the published port")
    c.rm()
    # .NET Testcontainers.DynamoDb: image defaults, wait until GET / answers 400 (checked above);
    # Java GenericContainer / Node GenericContainer users: withCommand("-jar DynamoDBLocal.jar -inMemory -sharedDb")
    c = Box(eng, "java", ["-jar", "DynamoDBLocal.jar", "-inMemory", "-sharedDb"])
    check(c.wait_healthy() is not None, "GenericContainer command -jar DynamoDBLocal.jar -inMemory -sharedDb")
    c.rm()
    r = eng.podman("run", "--rm", IMAGE, "--version")
    check(r.returncode == 0 and r.stdout.strip() == f"dynarock 0.1.0 (commit {revision})", f"IMAGE --version: {r.stdout.strip()}")
    r = eng.podman("run", "--rm", IMAGE, "sh", "-c", UID_PWD)
    check(r.stdout.strip() == "10001 /home/dynamodblocal", f"IMAGE sh -c ...: {r.stdout.strip()!r}")
    r = eng.podman("run", "--rm", "--entrypoint", "/bin/sh", IMAGE, "-c", "command -v bash || echo none")
    check(r.stdout.strip() == "none", f"no bash in the image: {r.stdout.strip()!r}")
    r = eng.podman("run", "--rm", "--entrypoint", "/usr/local/bin/docker-healthcheck", IMAGE)
    check(r.returncode == 1, f"the health check fails when nothing listens (exit {r.returncode})")
    testcontainers_node(eng, check, step, repo)


def testcontainers_node(eng, check, step, repo):
    """Testcontainers for Node (npm) against podman's Docker-compatible API service: Ryuk off (its image
    cannot be pulled), the image already local (no pull). docker/testcontainers/check.mjs says what runs."""
    step("Testcontainers for Node through podman's Docker API (podman system service)")
    tc = os.path.join(repo, "docker", "testcontainers")
    if not shutil.which("node") or not shutil.which("npm"):
        check(False, "node and npm are needed (verify.sh installs Debian's nodejs and npm)")
        return
    if not os.path.isdir(os.path.join(tc, "node_modules", "testcontainers")):
        r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=tc, capture_output=True, text=True,
                           timeout=600)
        if not check(r.returncode == 0, "npm ci in docker/testcontainers" + ("" if r.returncode == 0 else r.stderr[-300:])):
            return
    sock = os.path.join(eng.cache, "podman.sock")
    if os.path.exists(sock):
        os.remove(sock)
    svc = subprocess.Popen(["podman", "system", "service", "--time=0", f"unix://{sock}"], env=eng.env,
                           stdout=subprocess.DEVNULL, stderr=open(eng.log_path("podman-service"), "w"))
    try:
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.1)
        env = dict(os.environ, DOCKER_HOST=f"unix://{sock}", TESTCONTAINERS_RYUK_DISABLED="true",
                   DYNAROCK_IMAGE=IMAGE, CONTAINERS_CONF=eng.conf)
        t = time.time()
        r = subprocess.run(["node", "check.mjs"], cwd=tc, capture_output=True, text=True, env=env, timeout=300)
        try:
            seen = json.loads(r.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            seen = {"error": r.stdout[-300:] + r.stderr[-300:]}
        want = {"pk": {"S": "a"}, "n": {"N": "42"}}
        ver = json.load(open(os.path.join(tc, "node_modules", "testcontainers", "package.json")))["version"]
        for k, what in (("generic", "GenericContainer + DynamoDB Local's command, default wait strategy"),
                        ("java_entrypoint", "entrypoint java -Djava.library.path=... (the Go module's shape)"),
                        ("http_400_wait", "Wait.forHttp('/').forStatusCode(400) (the .NET module's wait)"),
                        ("log_wait", "Wait.forLogMessage on the start line"),
                        ("ddblocal_log_wait", "Wait.forLogMessage('Initializing DynamoDB Local') (Python users' wait)")):
            check(seen.get(k) == want, f"testcontainers {ver}: {what}: item written and read"
                  + ("" if seen.get(k) == want else f" {seen.get('error', '')[:500]}"))
        print(f"   ({time.time() - t:.0f} s)")
    finally:
        svc.terminate()
        try:
            svc.wait(10)
        except subprocess.TimeoutExpired:
            svc.kill()
        eng.cleanup()


def largest(eng, n=6):
    """The image's largest files (what the size is made of), from its exported file system."""
    cid = eng.podman("create", IMAGE, check=True).stdout.strip()
    try:
        p = subprocess.Popen(["podman", "export", cid], stdout=subprocess.PIPE, env=eng.env)
        import tarfile
        with tarfile.open(fileobj=p.stdout, mode="r|") as tf:
            files = sorted(((m.size, m.name) for m in tf if m.isfile()), reverse=True)
        p.wait()
    finally:
        eng.podman("rm", "-f", cid)
    total = sum(s for s, _ in files)
    print(f"   {len(files)} files, {total / 1e6:.1f} MB: " + ", ".join(f"{nm} {s / 1e6:.1f}" for s, nm in files[:n]))
