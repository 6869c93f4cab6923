#!/usr/bin/env python3
"""Cold start of each function, measured the way Lambda starts it.

Each bootstrap is spawned against a stub Lambda Runtime API on loopback with the environment
Lambda gives it (the template's variables, the reserved AWS_LAMBDA_* ones, credentials in the
environment) and with every AWS endpoint pointed at the same stub, which answers 404. Measured
per run:

- init: from spawn to the first `GET /runtime/invocation/next` (Lambda's Init phase);
- init RSS: VmHWM of the process at that moment (peak resident memory so far);
- first invoke: from handing it its event to its `POST .../response` or `.../error`, which
  includes its first AWS call (answered 404 at once: what is measured is our code and the
  SDK's first-request path, not the network).

The Python 3.11 peer is awslambdaric with a handler that builds boto3 S3 and Rekognition
clients at import and calls HeadObject on its first invoke. Prints a table (or JSON).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = "/2018-06-01/runtime"

# The event each function gets on its first invoke (events/ holds one per function).
EVENTS = {
    "StartValidationFunction": "s3-put.json",
    "FetchMetadataFunction": "fetch-metadata.json",
    "DetectFacesFunction": None,  # an SQS batch, built below from detect-faces.json
    "AnalyzeImageFunction": "analyze-image.json",
    "EvaluateRulesFunction": "evaluate-rules.json",
    "NotifyFunction": "notify.json",
    "SummarizeRunFunction": "summarize-run.json",
}


def sqs_event(document: dict) -> dict:
    body = dict(document, taskToken="bench-task-token")
    return {
        "Records": [
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": "bench",
                "body": json.dumps(body),
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": str(int(time.time() * 1000)),
                    "SenderId": "bench",
                    "ApproximateFirstReceiveTimestamp": str(int(time.time() * 1000)),
                },
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:detect-faces",
                "awsRegion": "eu-west-1",
            }
        ]
    }


def event_for(logical_id: str) -> dict:
    name = EVENTS[logical_id]
    if name is None:
        return sqs_event(json.loads((ROOT / "events/detect-faces.json").read_text()))
    return json.loads((ROOT / "events" / name).read_text())


def template_variables() -> dict[str, dict[str, str]]:
    """Each function's Environment.Variables, with !Ref resolved to plausible values."""
    import yaml  # PyYAML comes with cfn-lint in the tools virtualenv

    class Loader(yaml.SafeLoader):
        pass

    def tagged(loader, suffix, node):
        if isinstance(node, yaml.ScalarNode):
            return {"!" + suffix: loader.construct_scalar(node)}
        if isinstance(node, yaml.SequenceNode):
            return {"!" + suffix: loader.construct_sequence(node)}
        return {"!" + suffix: loader.construct_mapping(node)}

    Loader.add_multi_constructor("!", tagged)
    template = yaml.load((ROOT / "template.yaml").read_text(), Loader=Loader)
    parameters = template.get("Parameters", {})
    arn = "arn:aws:{}:eu-west-1:123456789012:{}"
    shared = template.get("Globals", {}).get("Function", {}).get("Environment", {})
    out = {}
    for logical_id in EVENTS:
        variables = template["Resources"][logical_id]["Properties"].get("Environment", {})
        resolved = {}
        merged = {**shared.get("Variables", {}), **variables.get("Variables", {})}
        for key, value in merged.items():
            if isinstance(value, dict) and "!Ref" in value:
                ref = value["!Ref"]
                if ref in parameters:
                    value = str(parameters[ref].get("Default", ""))
                elif "Topic" in ref:
                    value = arn.format("sns", ref)
                else:
                    value = arn.format("states", "stateMachine:" + ref)
            elif isinstance(value, dict) and "!Sub" in value:
                value = value["!Sub"].replace("${AWS::StackName}", "bench")
            resolved[key] = local_path(key, str(value))
        out[logical_id] = resolved
    return out


def local_path(key: str, value: str) -> str:
    """provided.al2023's CA bundle path, mapped to this machine's own single bundle file."""
    if key == "SSL_CERT_FILE" and not Path(value).exists():
        import ssl

        paths = ssl.get_default_verify_paths()
        return paths.cafile or paths.openssl_cafile
    return value


class Run:
    """One spawn of one function: what the stub saw, with timestamps."""

    def __init__(self, event: dict):
        self.event = json.dumps(event).encode()
        self.pid: int | None = None
        self.started = 0.0
        self.first_next: float | None = None
        self.init_rss_kb: int | None = None
        self.handed_out: float | None = None
        self.answered: float | None = None
        self.answer_kind = ""
        self.done = threading.Event()
        self.release = threading.Event()


def vm_hwm_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class Stub(BaseHTTPRequestHandler):
    run: Run  # set on each run's subclass
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def reply(self, status: int, body: bytes = b"", headers: dict | None = None):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        run = self.run
        if run is not None and self.path == RUNTIME + "/invocation/next":
            if run.first_next is None:
                run.first_next = time.perf_counter()
                run.init_rss_kb = vm_hwm_kb(run.pid) if run.pid else None
                run.handed_out = time.perf_counter()
                deadline = int(time.time() * 1000) + 30_000
                self.reply(
                    200,
                    run.event,
                    {
                        "Content-Type": "application/json",
                        "Lambda-Runtime-Aws-Request-Id": "bench-request-1",
                        "Lambda-Runtime-Deadline-Ms": str(deadline),
                        "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:eu-west-1:123456789012:function:bench",
                        "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000;Sampled=0",
                    },
                )
                return
            # The second poll: the process is stopped before it gets an answer.
            run.release.wait(10)
            return
        self.aws()

    def do_POST(self):
        run = self.run
        self.body()
        if run is not None and self.path.startswith(RUNTIME + "/invocation/"):
            run.answered = time.perf_counter()
            run.answer_kind = self.path.rsplit("/", 1)[-1]
            self.reply(202, b"{}", {"Content-Type": "application/json"})
            run.done.set()
            return
        if run is not None and self.path == RUNTIME + "/init/error":
            run.answer_kind = "init/error"
            self.reply(202, b"{}", {"Content-Type": "application/json"})
            run.done.set()
            return
        self.aws()

    def do_HEAD(self):
        self.aws()

    def do_PUT(self):
        self.body()
        self.aws()

    def aws(self):
        """Any AWS API call (its body already read): 404, no retry, an answer at once."""
        self.reply(404, b"", {"x-amz-request-id": "bench"})


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a killed function's half-open connection is expected


def lambda_environment(api: str, name: str, variables: dict[str, str]) -> dict[str, str]:
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "AWS_LAMBDA_RUNTIME_API": api,
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/" + name,
        "AWS_LAMBDA_LOG_STREAM_NAME": "2026/12/02/[$LATEST]bench",
        "AWS_LAMBDA_LOG_FORMAT": "JSON",
        "AWS_LAMBDA_LOG_LEVEL": "INFO",
        "AWS_ACCESS_KEY_ID": "AKIDBENCH",
        "AWS_SECRET_ACCESS_KEY": "bench-secret",
        "AWS_SESSION_TOKEN": "bench-session-token",
        "AWS_ENDPOINT_URL": "http://" + api,
        "TZ": ":UTC",
        "LANG": "en_US.UTF-8",
        "_HANDLER": "bootstrap",
    }
    env.update(variables)
    return env


def measure(command: list[str], function: str, variables: dict, event: dict, cwd: Path) -> Run:
    """One spawn against its own stub (its own port: a killed process's late poll cannot
    reach the next run)."""
    run = Run(event)
    server = QuietServer(("127.0.0.1", 0), type("RunStub", (Stub,), {"run": run}))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = lambda_environment(f"127.0.0.1:{server.server_address[1]}", function, variables)
    run.started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    run.pid = process.pid
    finished = run.done.wait(30)
    run.release.set()
    process.kill()
    process.wait()
    server.shutdown()
    server.server_close()
    if not finished or run.first_next is None:
        raise SystemExit(f"{command[0]}: no answer from the function within 30 s")
    return run


def summarize(runs: list[Run]) -> dict:
    init = [(r.first_next - r.started) * 1000 for r in runs]
    invoke = [(r.answered - r.handed_out) * 1000 for r in runs if r.answered]
    rss = [r.init_rss_kb / 1024 for r in runs if r.init_rss_kb]
    return {
        "initMs": statistics.median(init),
        "initRssMb": max(rss) if rss else None,
        "firstInvokeMs": statistics.median(invoke) if invoke else None,
        "answers": sorted({r.answer_kind for r in runs}),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", default=str(ROOT / ".aws-sam/build"))
    parser.add_argument("--peer-python", required=True, help="python of the peer's virtualenv")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    variables = template_variables()
    results = {}
    peer = [args.peer_python, "-m", "awslambdaric", "peer_handler.handler"]
    peer_vars = {"PYTHONDONTWRITEBYTECODE": "1"}
    peer_event = {"bucket": "bench", "key": "uploads/photo.jpg"}
    peer_dir = Path(__file__).resolve().parent
    # One unmeasured start of each warms the page cache, as a warm Lambda host has it.
    measure(peer, "python-peer", peer_vars, peer_event, peer_dir)
    results["python-peer"] = summarize(
        [measure(peer, "python-peer", peer_vars, peer_event, peer_dir) for _ in range(args.runs)]
    )
    for logical_id in EVENTS:
        bootstrap = (Path(args.build_dir) / logical_id / "bootstrap").resolve()
        if not bootstrap.exists():
            raise SystemExit(f"{bootstrap} is missing: run sam build first")
        spawn = lambda: measure(  # noqa: E731
            [str(bootstrap)], logical_id, variables[logical_id], event_for(logical_id), bootstrap.parent
        )
        spawn()
        results[logical_id] = summarize([spawn() for _ in range(args.runs)])

    peer = results["python-peer"]
    for r in results.values():
        r["initTimesFaster"] = peer["initMs"] / r["initMs"]
        r["rssTimesLess"] = peer["initRssMb"] / r["initRssMb"] if r["initRssMb"] else None
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"{'function':<26} {'init median':>12} {'vs peer':>8} {'init RSS':>9} {'vs peer':>8} {'1st invoke':>11}  answer")
    for name, r in results.items():
        print(
            f"{name:<26} {r['initMs']:>9.1f} ms {r['initTimesFaster']:>7.1f}x "
            f"{r['initRssMb']:>6.1f} MB {r['rssTimesLess']:>7.1f}x {r['firstInvokeMs']:>8.1f} ms  "
            + ",".join(r["answers"])
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
