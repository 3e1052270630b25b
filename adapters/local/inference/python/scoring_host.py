"""Local stand-in for Azure ML's inference server (azureml-inference-server-http), one
process per deployment, standard library only so it runs on any Python 3.9+ without pip.

It keeps the contract a score.py is written against on Azure ML:
  - the entry script is imported from AML_APP_ROOT (the working directory, first on sys.path),
    AZUREML_ENTRY_SCRIPT relative to it or absolute; AZUREML_MODEL_DIR names the model files;
  - init() is called once, before the first request; run(raw_data) gets the request body as text;
  - GET / answers 200 once init() finished (503 before); POST /score answers run()'s result as
    JSON (a str or bytes is sent as it is); an exception is a 500 with its message, the
    traceback goes to stderr (the deployment log); an exception with a 4xx `status_code`
    attribute is that status (Azure ML's AMLResponse(message, 400));
  - run() calls are serialised on the main thread (one sync worker, as Azure ML's default) and
    interrupted after SCORING_TIMEOUT_MS (504), so one stuck call does not hold every later one.
With AUTOPILOT_MLFLOW_MODEL set instead, it serves that MLflow model folder without code
(Azure ML's no-code MLflow deployment); see mlflow_model.py.

Protocol with the parent (launchScoringServer.ts): `LISTENING <port>` on stdout as soon as it
listens; it exits when its stdin closes (the parent died), so no server is orphaned.
"""

import importlib.util
import json
import os
import queue
import signal
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOST_DIR = os.path.dirname(os.path.abspath(__file__))


class ScoringTimeout(Exception):
    pass


class BadRequest(Exception):
    pass


class Call:
    """One POST /score handed to the main thread."""

    def __init__(self, raw):
        self.raw = raw
        self.done = threading.Event()
        self.status = 500
        self.body = b""


calls = queue.Queue()
state = {"ready": False}


def load_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError("cannot import %s" % path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_scorer():
    mlflow_dir = os.environ.get("AUTOPILOT_MLFLOW_MODEL")
    if mlflow_dir:
        return load_module("_autopilot_mlflow_model", os.path.join(HOST_DIR, "mlflow_model.py")).MlflowScorer(mlflow_dir)
    app_root = os.path.abspath(os.environ.get("AML_APP_ROOT") or os.getcwd())
    entry = os.environ.get("AZUREML_ENTRY_SCRIPT")
    if not entry:
        raise SystemExit("AZUREML_ENTRY_SCRIPT is not set")
    path = entry if os.path.isabs(entry) else os.path.join(app_root, entry)
    sys.path.insert(0, app_root)
    module = load_module(os.path.splitext(os.path.basename(path))[0], path)
    if not callable(getattr(module, "run", None)):
        raise SystemExit("%s does not define run(raw_data) (Azure ML scoring contract: define init() and run())" % path)
    return module


def to_json_default(value):
    # numpy and pandas values, without importing either: both offer tolist() or item().
    for method in ("tolist", "item"):
        convert = getattr(value, method, None)
        if callable(convert):
            return convert()
    raise TypeError("%s is not JSON-serialisable" % type(value).__name__)


def encode(result):
    if isinstance(result, bytes):
        return result
    if isinstance(result, str):
        return result.encode("utf-8")
    return json.dumps(result, default=to_json_default, allow_nan=False).encode("utf-8")


def on_alarm(signum, frame):
    raise ScoringTimeout()


def serve_call(scorer, call, timeout_s):
    signal.setitimer(signal.ITIMER_REAL, timeout_s)
    try:
        result = scorer.run(call.raw)
        signal.setitimer(signal.ITIMER_REAL, 0)
        call.status, call.body = 200, encode(result)
    except ScoringTimeout:
        message = "run() did not finish within %d ms (SCORING_TIMEOUT_MS, from request_timeout_ms); it was interrupted" % (timeout_s * 1000)
        print(message, file=sys.stderr, flush=True)
        call.status, call.body = 504, json.dumps({"error": message}).encode("utf-8")
    except Exception as error:
        signal.setitimer(signal.ITIMER_REAL, 0)
        status = getattr(error, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            call.status, call.body = status, json.dumps({"error": str(error)}).encode("utf-8")
        else:
            fail(call, error)
    finally:
        call.done.set()


def fail(call, error):
    traceback.print_exc(file=sys.stderr)
    sys.stderr.flush()
    call.status = 500
    call.body = json.dumps({"error": "run() failed: %s: %s" % (type(error).__name__, error)}).encode("utf-8")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: with Nagle's algorithm on, the body waits for the
    # client's delayed ACK and every keep-alive answer takes ~40 ms more (measured: bench section 13).
    disable_nagle_algorithm = True

    def log_message(self, format, *args):
        pass  # the router logs requests; the deployment log keeps the script's own output

    def reply(self, status, body):
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path.split("?")[0] != "/":
            return self.reply(404, b'{"error": "use GET / or POST /score"}')
        if state["ready"]:
            return self.reply(200, b'{"status": "Healthy"}')
        self.reply(503, b'{"status": "initialising"}')

    def read_body(self):
        if "chunked" in (self.headers.get("transfer-encoding") or "").lower():
            return self.read_chunked()
        declared = self.headers.get("content-length") or "0"
        if not declared.isdigit():
            raise BadRequest("content-length %r is not a number of bytes" % declared[:40])
        return self.rfile.read(int(declared))

    def read_chunked(self):
        # http.server reads no chunked bodies itself; Azure ML's server (gunicorn) does.
        chunks = []
        while True:
            size_line = self.rfile.readline(1024).split(b";")[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                raise BadRequest("a chunk size of the chunked body is not hexadecimal")
            if size == 0:
                while self.rfile.readline(1024).strip():
                    pass  # trailers
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def do_POST(self):
        try:
            raw = self.read_body().decode("utf-8", errors="replace")
        except BadRequest as error:
            self.close_connection = True  # the rest of the stream cannot be framed
            return self.reply(400, json.dumps({"error": str(error)}).encode("utf-8"))
        if self.path.split("?")[0] != "/score":
            return self.reply(404, b'{"error": "use GET / or POST /score"}')
        if not state["ready"]:
            return self.reply(503, b'{"error": "the scoring script is still initialising"}')
        call = Call(raw)
        calls.put(call)
        call.done.wait()
        self.reply(call.status, call.body)


def exit_when_parent_dies():
    try:
        while sys.stdin.buffer.read(65536):
            pass
    finally:
        os._exit(0)


class ScoringServer(ThreadingHTTPServer):
    # socketserver listens with a backlog of 5: a burst of new connections (the router's
    # pool opening, a load test) then waits for SYN retransmits (1 s and more) or is reset.
    # The kernel caps this at net.core.somaxconn.
    request_queue_size = 2048
    daemon_threads = True


def main():
    server = ScoringServer(("127.0.0.1", 0), Handler)
    print("LISTENING %d" % server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    threading.Thread(target=exit_when_parent_dies, daemon=True).start()
    signal.signal(signal.SIGTERM, lambda signum, frame: os._exit(0))
    signal.signal(signal.SIGALRM, on_alarm)
    timeout_s = int(os.environ.get("SCORING_TIMEOUT_MS") or 3600 * 1000) / 1000.0

    try:
        scorer = load_scorer()
        if callable(getattr(scorer, "init", None)):
            scorer.init()
    except SystemExit as error:
        print("init failed: %s" % error, file=sys.stderr, flush=True)
        os._exit(1)
    except BaseException:
        print("init failed:", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        sys.stderr.flush()
        os._exit(1)
    state["ready"] = True
    print("init() finished; serving", flush=True)
    while True:
        serve_call(scorer, calls.get(), timeout_s)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
