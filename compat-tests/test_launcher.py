"""The Docker image's launcher (docker/launcher.c, issue 19) outside any container: as
docker-entrypoint, java and docker-healthcheck it must map DynamoDB Local's command lines, add the
image's defaults, print DynamoDB Local's configuration block and judge the server's health as the
bash scripts it replaced did. docker/verify_engine.py checks the same inside the built image.

The launcher runs the dynarock beside it: build/docker-launcher next to build/dynarock (CMake's
docker-launcher target). dynarock's own programs: skipped when DYNAROCK_ENDPOINT is set.
"""
import http.server
import os
import re
import shutil
import subprocess
import threading

import pytest

import dynarock_util as du

pytestmark = [pytest.mark.needs_process, pytest.mark.dynarock_only]

CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith("DYNAROCK_")}
LISTENING = re.compile(r"^dynarock \S+ listening on http://(\S+):(\d+) data=(.+) threads=\d+$", re.M)


def config_block(port, in_memory, db_path):
    return (f"Initializing DynamoDB Local with the following configuration:\nPort:\t{port}\n"
            f"InMemory:\t{'true' if in_memory else 'false'}\nDbPath:\t{db_path}\nSharedDb:\ttrue\n")


@pytest.fixture(scope="module")
def names(tmp_path_factory):
    """docker-entrypoint, java and docker-healthcheck: links to the launcher, as in the image"""
    launcher = du.binary_path().parent / "docker-launcher"
    if not launcher.exists():
        pytest.skip(f"{launcher} not built (CMake target docker-launcher)")
    d = tmp_path_factory.mktemp("launcher")
    for n in ("docker-entrypoint", "java", "docker-healthcheck"):
        os.symlink(launcher, d / n)
    return {n: str(d / n) for n in ("docker-entrypoint", "java", "docker-healthcheck")}


class Launched:
    """The launcher run with ARGS; it execs dynarock, so the process is the server."""

    def __init__(self, argv, env=None, cwd=None):
        e = dict(CLEAN_ENV)
        e.update(env or {})
        self.p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                  text=True, env=e, cwd=cwd)
        self.head = ""
        while True:  # the configuration block, then the server's start line
            line = self.p.stdout.readline()
            if not line:
                self.p.kill()
                raise AssertionError(f"no start line after {self.head!r}: {self.p.stderr.read()[-500:]}")
            self.head += line
            m = LISTENING.match(line)
            if m:
                self.host, self.port, self.data = m.group(1), int(m.group(2)), m.group(3)
                break
        with open(f"/proc/{self.p.pid}/cmdline", "rb") as f:
            self.argv = f.read().rstrip(b"\0").decode().split("\0")

    def stop(self):
        self.p.terminate()
        self.p.communicate(timeout=15)
        return self.p.returncode


def run(argv, env=None, timeout=10):
    e = dict(CLEAN_ENV)
    e.update(env or {})
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, env=e)


def test_entrypoint_adds_the_image_defaults(names):
    port = du.free_port()
    s = Launched([names["docker-entrypoint"]], env={"DYNAROCK_PORT": str(port)})
    try:
        assert s.argv == [str(du.binary_path()), "--host", "0.0.0.0", "--in-memory"]
        assert s.head.startswith(config_block(port, True, "null"))
        assert (s.host, s.port, s.data) == ("0.0.0.0", port, "(in memory)")
        assert du.http_get(f"http://127.0.0.1:{port}")[0] == 200
    finally:
        assert s.stop() == 0


def test_go_module_command_line_as_java(names, tmp_path):
    """testcontainers-go: entrypoint `java -Djava.library.path=./DynamoDBLocal_lib`, command -jar ..."""
    port = du.free_port()
    s = Launched([names["java"], "-Djava.library.path=./DynamoDBLocal_lib", "-Xmx256m", "-jar", "DynamoDBLocal.jar",
                  "-port", str(port), "-dbPath", str(tmp_path), "-sharedDb"])
    try:
        assert s.argv == [str(du.binary_path()), "--host", "0.0.0.0", "-port", str(port), "-dbPath", str(tmp_path),
                          "-sharedDb"]
        assert s.head.startswith(config_block(port, False, str(tmp_path)))
        assert s.data == str(tmp_path)
    finally:
        assert s.stop() == 0
    assert os.path.exists(tmp_path / "CURRENT")


def test_dynamodb_local_image_command_through_the_entrypoint(names):
    """amazon/dynamodb-local compose files: command `-jar DynamoDBLocal.jar -sharedDb -inMemory`, also with
    a leading `java`, and DYNAROCK_HOST keeping --host out"""
    port = du.free_port()
    s = Launched([names["docker-entrypoint"], "java", "-jar", "DynamoDBLocal.jar", "-sharedDb", "-inMemory"],
                 env={"DYNAROCK_PORT": str(port), "DYNAROCK_HOST": "127.0.0.1"})
    try:
        assert s.argv == [str(du.binary_path()), "-sharedDb", "-inMemory"]
        assert s.head.startswith(config_block(port, True, "null"))
        assert s.host == "127.0.0.1"
    finally:
        assert s.stop() == 0


def test_data_dir_from_the_environment(names, tmp_path):
    port = du.free_port()
    s = Launched([names["docker-entrypoint"]], env={"DYNAROCK_PORT": str(port), "DYNAROCK_DATA_DIR": str(tmp_path)})
    try:
        assert s.argv == [str(du.binary_path()), "--host", "0.0.0.0"]
        assert s.head.startswith(config_block(port, False, str(tmp_path)))
    finally:
        assert s.stop() == 0


def test_version_and_help_print_no_configuration_block(names):
    want = run([str(du.binary_path()), "--version"]).stdout
    assert want.startswith("dynarock ")
    for argv in ([names["docker-entrypoint"], "--version"], [names["java"], "-jar", "DynamoDBLocal.jar", "-version"]):
        r = run(argv)
        assert (r.returncode, r.stdout) == (0, want)


def test_a_command_runs_as_itself(names):
    sh = shutil.which("sh")
    r = run([names["docker-entrypoint"], "sh", "-c", 'echo "ran $0 $1"', "x", "y"])
    assert (r.returncode, r.stdout) == (0, "ran x y\n"), sh
    r = run([names["docker-entrypoint"], "no-such-command-here"])
    assert r.returncode == 127
    assert r.stderr == "docker-entrypoint: no-such-command-here: No such file or directory\n"


@pytest.fixture
def other_http():
    """an HTTP server that is not dynarock (answers 404 to everything)"""
    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_error(404)

        def log_message(self, *a):
            pass
    srv = http.server.HTTPServer(("127.0.0.1", 0), H)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv.server_address[1]
    srv.shutdown()
    srv.server_close()


def test_healthcheck_accepts_both_health_answers(names, other_http):
    hc = names["docker-healthcheck"]
    for answer in ("aws", "dynamodb-local"):
        port = du.free_port()
        s = Launched([names["docker-entrypoint"], "--health-answer", answer],
                     env={"DYNAROCK_PORT": str(port), "DYNAROCK_HOST": "127.0.0.1"})
        try:
            assert run([hc], env={"DYNAROCK_PORT": str(port)}).returncode == 0, answer
        finally:
            s.stop()
    assert run([hc], env={"DYNAROCK_PORT": str(du.free_port())}).returncode == 1  # nothing listens
    assert run([hc], env={"DYNAROCK_PORT": str(other_http)}).returncode == 1  # not a DynamoDB answer


def test_healthcheck_finds_the_port_on_the_server_command_line(names):
    """inside a PID namespace (as in a container) the only dynarock is the one to ask; root only"""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare for a PID namespace")
    if run([names["docker-healthcheck"]], env={"DYNAROCK_PORT": "8000"}).returncode == 0:
        pytest.skip("a DynamoDB answers on 127.0.0.1:8000, the health check's default")
    port = du.free_port()
    script = (f'"{names["docker-entrypoint"]}" -port {port} >/dev/null 2>&1 & pid=$!; '
              f'ok=1; for i in $(seq 50); do if "{names["docker-healthcheck"]}"; then ok=0; break; fi; sleep 0.1; done; '
              f'kill $pid; wait $pid; exit $ok')
    # --kill-child: if this run times out, the namespace's first process (sh) dies and every process in
    # the namespace with it, the server included
    r = subprocess.run(["unshare", "--pid", "--fork", "--kill-child", "--mount-proc", "sh", "-c", script],
                       capture_output=True, text=True, timeout=30, env=CLEAN_ENV)
    if "unshare failed" in r.stderr or "Operation not permitted" in r.stderr:
        pytest.skip(f"no PID namespace here: {r.stderr.strip()}")
    assert r.returncode == 0, r.stderr
