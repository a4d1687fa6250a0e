#!/usr/bin/env python3
"""server.py - a local stand-in for the generation servers lightbox talks to.

Speaks, on 127.0.0.1 and a random port (printed as "PORT n" on stdout):
  OpenAI     POST /v1/images/generations, /v1/images/edits (multipart),
             /v1/chat/completions, /v1/audio/speech; GET /v1/models
  AUTOMATIC1111  POST /sdapi/v1/txt2img, /sdapi/v1/img2img;
             GET /sdapi/v1/progress, /sdapi/v1/sd-models
  ComfyUI    POST /prompt; GET /history/{id}, /view, /system_stats;
             GET /queue, POST /queue {"delete": [ids]}, POST /interrupt
  Ollama     POST /api/generate, /api/chat; GET /api/tags
as their providers document them (see ../shared/specs/APIS.md and the
OpenAPI files there), and CHECKS each request it receives against those
documents: method, path, content type, required fields and their types,
fields a schema does not have, and the Authorization header.  A request
that breaks the rules gets a 400 and is recorded with its "spec_errors" in
the log (one JSON object per request), which the tests read.

It misbehaves on command: POST /_control {"mode": M, "times": N,
"delay": S, "arg": X} makes the next N generation requests (all, without
"times") behave as M:
  http500, 429 (Retry-After: arg seconds, or an HTTP date with arg
  "date:SECONDS"), error200 (a 200 whose body is an error), badjson,
  truncb64 (base64 cut mid-group), truncpng (a PNG cut short), huge (a
  reply of arg bytes, default 3 MiB), drip (a reply trickling at 8 bytes/s),
  wrongtype (text/html), redirect (a 307 loop), timeout (hold the request arg
  seconds), escape (ComfyUI output names with ../), echokey (an error that
  echoes the Authorization header), ndjson (Ollama streams anyway),
  urlreply (OpenAI images as URLs), nothing (close without a reply),
  hang (a ComfyUI prompt that runs until deleted or interrupted).
"every": true applies the mode to every request of the protocols, not
only generations (`backends --check` asks for model lists and status);
hugelist (a model list of arg bytes, many small objects) is meant for it.
"delay" holds every generation request that many seconds (for cancel
and kill tests).  GET /_stats tells requests seen and the most in flight
(with --per-client, also per client process, found through /proc).

Python 3 standard library only.  Written for lightbox's tests; shares no
code with the servers it imitates.
"""

import argparse
import base64
import email.parser
import email.policy
import json
import os
import random
import socket
import struct
import sys
import threading
import time
import urllib.parse
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = {"mode": "normal", "times": -1, "delay": 0.0, "arg": None, "every": False}
LOCK = threading.Lock()
STATS = {"requests": 0, "inflight": 0, "max_inflight": 0, "gen": 0}
INFLIGHT_BY_PID = {}


def peer_pid(client, server):
    """The process on this machine that holds the client end of a loopback
    connection (from /proc/net/tcp and the processes' fds), or -1."""
    want = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if int(f[1].rsplit(":", 1)[1], 16) == client[1] and int(f[2].rsplit(":", 1)[1], 16) == server[1]:
                want = "socket:[%s]" % f[9]
                break
        if want:
            break
    if want is None:
        return -1
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir("/proc/%s/fd" % pid):
                if os.readlink("/proc/%s/fd/%s" % (pid, fd)) == want:
                    return int(pid)
        except OSError:
            continue
    return -1
HISTORY = {}      # ComfyUI prompt_id -> {"polls": n, "seed": s, "n": index}
ARGS = None
LOG_LOCK = threading.Lock()

GEN_PATHS = {
    "/v1/images/generations", "/v1/images/edits", "/v1/chat/completions", "/v1/audio/speech",
    "/sdapi/v1/txt2img", "/sdapi/v1/img2img", "/prompt", "/api/generate", "/api/chat",
}


def png(width, height, rgb=(40, 120, 200), noise=False):
    """A valid PNG: truecolour, one IDAT, CRCs (ISO/IEC 15948)."""
    if noise:
        raw = b"".join(b"\0" + os.urandom(width * 3) for _ in range(height))
        data = zlib.compress(raw, 0)
    else:
        raw = b"".join(b"\0" + bytes(rgb) * width for _ in range(height))
        data = zlib.compress(raw)

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", data) + chunk(b"IEND", b""))


BIG = {}
COUNTER = [0]


def big_b64():
    """A distinct picture of about --image-bytes, cheaply: one random IDAT
    made once, and a tEXt chunk with a counter before it, sized so that the
    head is a multiple of 3 bytes and the base64 of the tail is reused."""
    with LOCK:
        if not BIG:
            side = max(8, int((ARGS.image_bytes / 3) ** 0.5))
            whole = png(side, side, noise=True)
            BIG["head"], BIG["tail"] = whole[:33], whole[33:]
            BIG["tail64"] = base64.b64encode(BIG["tail"]).decode()
        COUNTER[0] += 1
        n = COUNTER[0]
    text = b"lightbox\0" + b"%015d" % n
    body = b"tEXt" + text
    chunk = struct.pack(">I", len(text)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    head = BIG["head"] + chunk
    pad = (-len(head)) % 3
    if pad:
        text = b"lightbox\0" + b"%0*d" % (15 + pad, n)
        body = b"tEXt" + text
        head = BIG["head"] + struct.pack(">I", len(text)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    return base64.b64encode(head).decode() + BIG["tail64"]


def image_bytes(seed):
    if ARGS.image_bytes > 0:
        return base64.b64decode(big_b64())
    r = random.Random(seed)
    return png(32, 24, (r.randrange(256), r.randrange(256), r.randrange(256)))


def image_b64(seed):
    if ARGS.image_bytes > 0:
        return big_b64()
    return base64.b64encode(image_bytes(seed)).decode()


def wav(seconds=0.25, rate=8000):
    n = int(seconds * rate)
    data = b"".join(struct.pack("<h", int(8000 * ((i // 20) % 2 * 2 - 1))) for i in range(n))
    return (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
            + b"data" + struct.pack("<I", len(data)) + data)


def take_mode():
    """The mode for this generation request (counting it down)."""
    with LOCK:
        mode = STATE["mode"]
        if mode != "normal" and STATE["times"] > 0:
            STATE["times"] -= 1
            if STATE["times"] == 0:
                STATE["mode"] = "normal"
        return mode, STATE["arg"], STATE["delay"]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "lbtest/1"
    mode = "normal"
    arg = None

    def log_message(self, fmt, *args):  # quiet
        pass

    # ------------------------------------------------------------ plumbing

    def body_bytes(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def send(self, status, body, ctype="application/json", headers=None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def send_pieces(self, head, piece, times, tail):
        """A 200 JSON reply of head, piece repeated, tail, with its
        Content-Length, written a piece at a time."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(head) + len(piece) * times + len(tail)))
        self.end_headers()
        try:
            self.wfile.write(head)
            for _ in range(times):
                self.wfile.write(piece)
            self.wfile.write(tail)
        except (BrokenPipeError, ConnectionResetError):
            pass

    # One line of generated text, JSON-escaped (a quote, a 2-byte and a
    # surrogate-pair character), and its length once decoded.
    BIG_UNIT = b'harbour light \\"quoted\\" \\u00e9 \\ud83c\\udf0a\\n'
    BIG_UNIT_DECODED = 31

    def send_bigtext(self, head, n, tail):
        """A JSON reply whose one string holds about n bytes of text, written
        a piece at a time (the server never holds it whole)."""
        units = max(1, n // self.BIG_UNIT_DECODED)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(head) + units * len(self.BIG_UNIT) + len(tail)))
        self.end_headers()
        try:
            self.wfile.write(head)
            piece = self.BIG_UNIT * 32768
            left = units
            while left > 0:
                k = min(left, 32768)
                self.wfile.write(piece if k == 32768 else self.BIG_UNIT * k)
                left -= k
            self.wfile.write(tail)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def record(self, errors, extra=None):
        entry = {"t": time.time(), "method": self.command, "path": self.path,
                 "ctype": self.headers.get("Content-Type", ""),
                 "auth": "present" if self.headers.get("Authorization") else "absent",
                 "spec_errors": errors}
        if extra:
            entry.update(extra)
        if ARGS.log:
            with LOG_LOCK, open(ARGS.log, "a") as f:
                f.write(json.dumps(entry) + "\n")

    def protocol(self):
        p = urllib.parse.urlparse(self.path).path
        if p.startswith("/v1/"):
            return "openai"
        if p.startswith("/sdapi/"):
            return "a1111"
        if p.startswith("/api/"):
            return "ollama"
        return "comfyui"

    def error_body(self, status, message):
        proto = self.protocol()
        if proto == "openai":
            return {"error": {"message": message, "type": "server_error" if status >= 500 else "invalid_request_error",
                              "param": None, "code": None}}
        if proto == "a1111":
            return {"error": "RuntimeError" if status >= 500 else "HTTPException", "detail": message,
                    "body": "", "errors": ""}
        if proto == "ollama":
            return {"error": message}
        return {"error": {"type": "prompt_outputs_failed_validation" if status < 500 else "server_error",
                          "message": message, "details": "", "extra_info": {}}, "node_errors": {}}

    def check_auth(self, errors):
        got = self.headers.get("Authorization")
        proto = self.protocol()
        if proto == "a1111":
            if ARGS.basic:
                want = "Basic " + base64.b64encode(ARGS.basic.encode()).decode()
                if got != want:
                    errors.append("auth: expected HTTP Basic credentials")
                    return False
            elif got:
                errors.append("auth: an Authorization header was sent to a server without --api-auth")
            return True
        if ARGS.key:
            if got is None:
                errors.append("auth: no Authorization header")
                return False
            if not got.startswith("Bearer "):
                errors.append("auth: Authorization is not 'Bearer <key>'")
                return False
            if got != "Bearer " + ARGS.key:
                return False
        elif got:
            errors.append("auth: an Authorization header was sent though no key is configured")
        return True

    # ------------------------------------------------------------ spec checks

    @staticmethod
    def check_fields(obj, required, known, types, errors, where):
        if not isinstance(obj, dict):
            errors.append("%s: the body is not a JSON object" % where)
            return
        for k in required:
            if k not in obj:
                errors.append("%s: required field '%s' is missing" % (where, k))
        for k, v in obj.items():
            if k not in known:
                errors.append("%s: field '%s' is not in the schema" % (where, k))
            elif k in types:
                want = types[k] if isinstance(types[k], tuple) else (types[k],)
                if (isinstance(v, bool) and bool not in want) or not isinstance(v, want):
                    errors.append("%s: field '%s' has the wrong type" % (where, k))

    def json_body(self, errors):
        ctype = self.headers.get("Content-Type", "")
        if ctype.split(";")[0].strip() != "application/json":
            errors.append("content type is %r, not application/json" % ctype)
        raw = self.body_bytes()
        try:
            return json.loads(raw)
        except ValueError:
            errors.append("the body is not JSON")
            return None

    # ------------------------------------------------------------ routes

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def route(self, method):
        path = urllib.parse.urlparse(self.path).path
        with LOCK:
            STATS["requests"] += 1
        if path == "/_control" and method == "POST":
            cmd = json.loads(self.body_bytes() or b"{}")
            with LOCK:
                STATE["mode"] = cmd.get("mode", "normal")
                STATE["times"] = cmd.get("times", -1)
                STATE["delay"] = float(cmd.get("delay", 0))
                STATE["arg"] = cmd.get("arg")
                STATE["every"] = bool(cmd.get("every", False))
            return self.send(200, {"ok": True})
        if path == "/_stats":
            with LOCK:
                return self.send(200, dict(STATS))
        if path.startswith("/files/"):
            return self.send(200, image_bytes(7), "image/png")
        errors = []
        authorized = self.check_auth(errors)
        gen = path in GEN_PATHS
        if gen:
            if ARGS.log:
                with LOG_LOCK, open(ARGS.log, "a") as f:
                    f.write(json.dumps({"t": time.time(), "arrived": True, "path": self.path, "spec_errors": []}) + "\n")
            client = peer_pid(self.client_address, self.server.server_address) if ARGS.per_client else None
            with LOCK:
                STATS["inflight"] += 1
                STATS["gen"] += 1
                STATS["max_inflight"] = max(STATS["max_inflight"], STATS["inflight"])
                if client is not None:
                    INFLIGHT_BY_PID[client] = INFLIGHT_BY_PID.get(client, 0) + 1
                    most = STATS.setdefault("max_inflight_by_pid", {})
                    most[str(client)] = max(most.get(str(client), 0), INFLIGHT_BY_PID[client])
        try:
            self.dispatch(method, path, errors, authorized, gen)
        finally:
            if gen:
                with LOCK:
                    STATS["inflight"] -= 1
                    if client is not None:
                        INFLIGHT_BY_PID[client] -= 1

    def dispatch(self, method, path, errors, authorized, gen):
        routes = {
            ("POST", "/v1/images/generations"): self.openai_images,
            ("POST", "/v1/images/edits"): self.openai_edits,
            ("POST", "/v1/chat/completions"): self.openai_chat,
            ("POST", "/v1/audio/speech"): self.openai_speech,
            ("GET", "/v1/models"): self.openai_models,
            ("POST", "/sdapi/v1/txt2img"): self.a1111_generate,
            ("POST", "/sdapi/v1/img2img"): self.a1111_generate,
            ("GET", "/sdapi/v1/progress"): self.a1111_progress,
            ("GET", "/sdapi/v1/sd-models"): self.a1111_models,
            ("POST", "/prompt"): self.comfy_prompt,
            ("GET", "/view"): self.comfy_view,
            ("GET", "/system_stats"): self.comfy_stats,
            ("GET", "/queue"): self.comfy_queue,
            ("POST", "/queue"): self.comfy_queue_change,
            ("POST", "/interrupt"): self.comfy_interrupt,
            ("POST", "/api/generate"): self.ollama_text,
            ("POST", "/api/chat"): self.ollama_text,
            ("GET", "/api/tags"): self.ollama_tags,
        }
        fn = routes.get((method, path))
        if fn is None and method == "GET" and path.startswith("/history/"):
            fn = self.comfy_history
        if fn is None:
            known = [p for (m, p) in routes if p == path]
            errors.append("%s %s is not an endpoint of the protocol" % (method, path))
            self.record(errors)
            return self.send(405 if known else 404, self.error_body(404, "not found"))
        if not authorized:
            echo = self.headers.get("Authorization", "")
            self.record(errors)
            return self.send(401, self.error_body(401, "Incorrect API key provided"
                                                  + (": " + echo if ARGS.echo_key else "")))
        mode, arg, delay = take_mode() if gen or STATE["every"] else ("normal", None, 0)
        self.mode, self.arg = mode, arg
        if gen and delay:
            time.sleep(delay)
        if mode != "normal" and self.misbehave(mode, arg, errors, path):
            return
        fn(errors)

    # ------------------------------------------------------------ misbehaviour

    def misbehave(self, mode, arg, errors, path):
        """Sends a bad reply for mode; False when the route should answer
        (and spoil its own reply: truncb64, truncpng, escape, ndjson, urlreply)."""
        if mode in ("truncb64", "truncpng", "escape", "ndjson", "urlreply", "hang", "bigtext"):
            return False
        self.body_bytes()
        self.record(errors, {"misbehaved": mode})
        if mode == "http500":
            self.send(500, self.error_body(500, "CUDA out of memory (simulated)"))
        elif mode == "429":
            arg = arg or "1"
            if str(arg).startswith("date:"):
                when = time.time() + int(str(arg)[5:])
                value = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(when))
            else:
                value = str(arg)
            self.send(429, self.error_body(429, "Rate limit reached (simulated)"), headers={"Retry-After": value})
        elif mode == "error200":
            self.send(200, self.error_body(400, "the model is overloaded (a 200 that is an error)"))
        elif mode == "badjson":
            self.send(200, '{"data": [{"b64_json": "iVBOR', "application/json")
        elif mode == "huge":
            n = int(arg or 3 << 20)
            self.send_pieces(b'{"pad": "', b"x" * 65536, n // 65536 + 1, b'"}')
        elif mode == "hugelist":
            n = int(arg or 3 << 20)
            unit = b'{"id": "m", "object": "model"},' * 2048
            self.send_pieces(b'{"object": "list", "data": [', unit, n // len(unit) + 1, b'{"id": "m"}]}')
        elif mode == "hugechunked":
            n = int(arg or 3 << 20)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                piece = b"x" * 65536
                for _ in range(n // 65536 + 1):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif mode == "drip":
            body = b'{"data": [' + b" " * 4000 + b"]}"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                for i in range(0, len(body), 8):
                    self.wfile.write(body[i:i + 8])
                    self.wfile.flush()
                    time.sleep(1)
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif mode == "wrongtype":
            self.send(200, "<html><head><title>502 Bad Gateway (proxy)</title></head><body>nginx</body></html>",
                      "text/html")
        elif mode == "redirect":
            self.send(307, "", "text/plain", {"Location": self.path})
        elif mode == "timeout":
            time.sleep(float(arg or 30))
            self.send(200, {"late": True})
        elif mode == "nothing":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        elif mode == "echokey":
            self.send(401, self.error_body(401, "Incorrect API key provided: "
                                           + self.headers.get("Authorization", "")))
        else:
            self.send(500, self.error_body(500, "unknown test mode " + mode))
        return True

    # ------------------------------------------------------------ OpenAI

    def openai_images(self, errors):
        body = self.json_body(errors)
        known = {"prompt", "model", "n", "size", "quality", "response_format", "output_format", "output_compression",
                 "background", "moderation", "style", "stream", "partial_images", "user"}
        self.check_fields(body, ["prompt"], known, {"prompt": str, "model": str, "n": int, "size": str}, errors,
                          "CreateImageRequest")
        if isinstance(body, dict):
            n = body.get("n", 1)
            if isinstance(n, int) and not 1 <= n <= 10:
                errors.append("CreateImageRequest: n must be 1..10")
            model = body.get("model", "dall-e-2")
            if "response_format" in body and not str(model).startswith("dall-e"):
                errors.append("CreateImageRequest: response_format is not supported for GPT image models")
            if model == "dall-e-3" and n != 1:
                errors.append("CreateImageRequest: dall-e-3 takes only n=1")
        self.images_reply(body if isinstance(body, dict) else {}, errors, "generations")

    def images_reply(self, body, errors, what):
        mode = self.mode
        if errors:
            self.record(errors)
            return self.send(400, self.error_body(400, "; ".join(errors)))
        n = body.get("n", 1) if isinstance(body.get("n", 1), int) else 1
        data = []
        for i in range(n):
            if mode == "truncpng":
                img = image_bytes(i)
                b64 = base64.b64encode(img[: len(img) // 2 - (len(img) // 2) % 3]).decode()
            else:
                b64 = image_b64(hash((body.get("prompt"), i, time.time())))
            if mode == "truncb64":
                b64 = b64[: len(b64) // 4 * 4 - 3]
            item = {"revised_prompt": "revised: " + str(body.get("prompt"))}
            if mode == "urlreply":
                item["url"] = "http://127.0.0.1:%d/files/img%d.png" % (self.server.server_port, i)
            else:
                item["b64_json"] = b64
            data.append(item)
        self.record(errors, {"n": n, "endpoint": what, "model": body.get("model")})
        # Built by hand: json.dumps of megabytes of base64 is slow, and
        # base64 needs no escaping.
        items = []
        for item in data:
            b64 = item.pop("b64_json", None)
            text = json.dumps(item)
            items.append(text[:-1] + (', "b64_json": "' + b64 + '"}' if b64 is not None else "}"))
        self.send(200, '{"created": %d, "data": [%s], "size": %s, "output_format": "png", "quality": %s}'
                  % (int(time.time()), ", ".join(items), json.dumps(body.get("size", "1024x1024")),
                     json.dumps(body.get("quality", "auto"))))

    def openai_edits(self, errors):
        ctype = self.headers.get("Content-Type", "")
        raw = self.body_bytes()
        body = {}
        if not ctype.startswith("multipart/form-data") or "boundary=" not in ctype:
            errors.append("images/edits: content type is %r, not multipart/form-data with a boundary" % ctype)
        else:
            msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + raw)
            images = 0
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True)
                if name in ("image", "image[]"):
                    images += 1
                    if not part.get_filename():
                        errors.append("images/edits: the image part has no filename")
                    if not part.get_content_type().startswith("image/"):
                        errors.append("images/edits: the image part is %s" % part.get_content_type())
                    if not payload.startswith(b"\x89PNG") and not payload.startswith(b"\xff\xd8"):
                        errors.append("images/edits: the image part is not a picture")
                elif name in ("prompt", "model", "size", "quality", "response_format", "output_format",
                              "background", "input_fidelity", "user", "output_compression", "partial_images",
                              "stream", "mask"):
                    body[name] = payload.decode()
                elif name == "n":
                    body["n"] = int(payload)
                else:
                    errors.append("images/edits: part '%s' is not in CreateImageEditRequest" % name)
            if images == 0:
                errors.append("images/edits: required part 'image' is missing")
            if "prompt" not in body:
                errors.append("images/edits: required part 'prompt' is missing")
        self.images_reply(body, errors, "edits")

    def openai_chat(self, errors):
        body = self.json_body(errors)
        known = {"model", "messages", "seed", "temperature", "top_p", "max_completion_tokens", "n", "stop",
                 "response_format", "stream", "stream_options", "user", "presence_penalty", "frequency_penalty"}
        self.check_fields(body, ["model", "messages"], known, {"model": str, "messages": list, "seed": int,
                                                                "temperature": (int, float)}, errors,
                          "CreateChatCompletionRequest")
        if isinstance(body, dict):
            msgs = body.get("messages")
            if isinstance(msgs, list):
                if not msgs:
                    errors.append("messages: at least one message")
                for m in msgs:
                    if not isinstance(m, dict) or m.get("role") not in ("system", "user", "assistant", "developer",
                                                                         "tool"):
                        errors.append("messages: a message has no valid role")
                    elif not isinstance(m.get("content"), str):
                        errors.append("messages: a message's content is not text")
            if body.get("n", 1) != 1:
                errors.append("n != 1 is not portable (llama.cpp, Ollama reject it)")
        if errors:
            self.record(errors)
            return self.send(400, self.error_body(400, "; ".join(errors)))
        seed = body.get("seed")
        self.record(errors, {"seed": seed})
        if self.mode == "bigtext":
            return self.send_bigtext(
                b'{"id": "chatcmpl-big", "object": "chat.completion", "created": 0, "model": "'
                + body["model"].encode() + b'-2026", "choices": [{"index": 0, "message": {"role": "assistant", '
                b'"content": "', int(self.arg or 9 << 20),
                b'", "refusal": null}, "finish_reason": "stop", "logprobs": null}], '
                b'"usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12}}')
        text = "Harbour light, poured warm. (seed %s)" % seed
        self.send(200, {"id": "chatcmpl-" + uuid.uuid4().hex, "object": "chat.completion",
                        "created": int(time.time()), "model": body["model"] + "-2026",
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": text, "refusal": None},
                                     "finish_reason": "stop", "logprobs": None}],
                        "usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12}})

    def openai_speech(self, errors):
        body = self.json_body(errors)
        known = {"model", "input", "instructions", "voice", "response_format", "speed", "stream_format"}
        self.check_fields(body, ["model", "input", "voice"], known, {"model": str, "input": str,
                                                                     "speed": (int, float)}, errors,
                          "CreateSpeechRequest")
        if isinstance(body, dict):
            if len(body.get("input", "")) > 4096:
                errors.append("CreateSpeechRequest: input longer than 4096")
            if body.get("response_format", "mp3") not in ("mp3", "opus", "aac", "flac", "wav", "pcm"):
                errors.append("CreateSpeechRequest: response_format not in the enum")
        if errors:
            self.record(errors)
            return self.send(400, self.error_body(400, "; ".join(errors)))
        self.record(errors, {"format": body.get("response_format")})
        if body.get("response_format") == "wav":
            self.send(200, wav(), "application/octet-stream")
        else:
            # MPEG-1 layer III frames (128 kbit/s, 44.1 kHz: 417 bytes each) of silence.
            self.send(200, b"ID3\x03\x00\x00\x00\x00\x00\x00" + (b"\xff\xfb\x90\x00" + b"\x00" * 413) * 8,
                      "application/octet-stream")

    def openai_models(self, errors):
        self.record(errors)
        self.send(200, {"object": "list", "data": [{"id": m, "object": "model", "created": 0, "owned_by": "test"}
                                                   for m in ("gpt-image-1", "dall-e-3", "gpt-4o-mini", "gpt-4o-mini-tts")]})

    # ------------------------------------------------------------ AUTOMATIC1111

    def a1111_generate(self, errors):
        body = self.json_body(errors)
        img2img = self.path.startswith("/sdapi/v1/img2img")
        types = {"prompt": str, "negative_prompt": str, "seed": int, "batch_size": int, "n_iter": int,
                 "steps": int, "cfg_scale": (int, float), "width": int, "height": int, "sampler_name": str,
                 "scheduler": str, "send_images": bool, "save_images": bool, "override_settings": dict,
                 "override_settings_restore_afterwards": bool, "init_images": list, "denoising_strength": (int, float)}
        self.check_fields(body, [], set(types) | {"styles", "subseed", "restore_faces", "tiling"}, types, errors,
                          "StableDiffusionProcessing")
        if isinstance(body, dict):
            if img2img:
                imgs = body.get("init_images")
                if not imgs or not isinstance(imgs, list):
                    errors.append("img2img: init_images is required")
                else:
                    try:
                        if not base64.b64decode(imgs[0], validate=True).startswith(b"\x89PNG"):
                            errors.append("img2img: init_images[0] is not a PNG")
                    except ValueError:
                        errors.append("img2img: init_images[0] is not base64")
                if not 0 <= body.get("denoising_strength", 0.75) <= 1:
                    errors.append("img2img: denoising_strength outside 0..1")
            elif "init_images" in body:
                errors.append("txt2img: init_images belongs to img2img")
        if errors:
            self.record(errors)
            return self.send(400 if not any(e.startswith("auth") for e in errors) else 401,
                             self.error_body(400, "; ".join(errors)))
        mode = self.mode
        n = body.get("batch_size", 1)
        seed = body.get("seed", -1)
        base = (seed if seed != -1 else 4242) + 1000      # the seeds "really used" differ from the asked
        seeds = [base + i for i in range(n)]
        images = []
        for i in range(n):
            img = image_bytes(seeds[i])
            if mode == "truncpng":
                img = img[: len(img) // 2 - (len(img) // 2) % 3]
            b = base64.b64encode(img).decode()
            images.append(b[: len(b) // 4 * 4 - 3] if mode == "truncb64" else b)
        info = {"prompt": body.get("prompt", ""), "all_prompts": [body.get("prompt", "")] * n,
                "negative_prompt": body.get("negative_prompt", ""), "seed": seeds[0], "all_seeds": seeds,
                "subseed": 1, "all_subseeds": [1] * n, "width": body.get("width", 512),
                "height": body.get("height", 512), "sampler_name": body.get("sampler_name", "Euler"),
                "cfg_scale": body.get("cfg_scale", 7.0), "steps": body.get("steps", 20), "batch_size": n,
                "sd_model_name": (body.get("override_settings") or {}).get("sd_model_checkpoint", "v1-5-pruned"),
                "sd_model_hash": "cc6cb27103", "denoising_strength": body.get("denoising_strength") if img2img else None,
                "index_of_first_image": 0,
                "infotexts": ["%s\nSteps: %s, Seed: %d" % (body.get("prompt", ""), body.get("steps", 20), s)
                              for s in seeds],
                "version": "v1.10.1"}
        self.record(errors, {"seed": seed, "batch_size": n, "img2img": img2img})
        time.sleep(ARGS.a1111_time)
        self.send(200, {"images": images, "parameters": body, "info": json.dumps(info)})

    def a1111_progress(self, errors):
        q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        if q.get("skip_current_image", ["false"])[0] not in ("true", "false"):
            errors.append("progress: skip_current_image is true or false")
        self.record(errors)
        with LOCK:
            busy = STATS["inflight"] > 0
        self.send(200, {"progress": 0.5 if busy else 0.0, "eta_relative": 1.0,
                        "state": {"job": "", "job_count": 1 if busy else 0, "sampling_step": 10,
                                  "sampling_steps": 20}, "current_image": None, "textinfo": None})

    def a1111_models(self, errors):
        self.record(errors)
        self.send(200, [{"title": "v1-5-pruned.safetensors [cc6cb27103]", "model_name": "v1-5-pruned",
                         "hash": "cc6cb27103", "filename": "/models/v1-5-pruned.safetensors"}])

    # ------------------------------------------------------------ ComfyUI

    def comfy_prompt(self, errors):
        body = self.json_body(errors)
        self.check_fields(body, ["prompt"], {"prompt", "client_id", "extra_data", "front", "number", "prompt_id"},
                          {"prompt": dict, "client_id": str}, errors, "POST /prompt")
        seed = None
        if isinstance(body, dict) and isinstance(body.get("prompt"), dict):
            for nid, node in body["prompt"].items():
                if not isinstance(node, dict) or "class_type" not in node or not isinstance(node.get("inputs"), dict):
                    errors.append("prompt: node %s is not {class_type, inputs}" % nid)
                    continue
                if node["class_type"] == "KSampler":
                    seed = node["inputs"].get("seed")
                    if not isinstance(seed, int):
                        errors.append("prompt: KSampler seed is not an integer")
                if node["class_type"] == "CLIPTextEncode" and not isinstance(node["inputs"].get("text"), str):
                    errors.append("prompt: CLIPTextEncode text is not text")
        if errors:
            self.record(errors)
            return self.send(400, self.error_body(400, "; ".join(errors)))
        pid = str(uuid.uuid4())
        mode = self.mode
        with LOCK:
            HISTORY[pid] = {"polls": 0, "seed": seed, "mode": mode, "n": len(HISTORY) + 1}
        self.record(errors, {"seed": seed, "prompt_id": pid})
        self.send(200, {"prompt_id": pid, "number": len(HISTORY), "node_errors": {}})

    def comfy_history(self, errors):
        pid = urllib.parse.unquote(urllib.parse.urlparse(self.path).path[len("/history/"):])
        self.record(errors)
        with LOCK:
            h = HISTORY.get(pid)
            if h is None:
                return self.send(200, {})
            h["polls"] += 1
            if h["mode"] == "hang":
                return self.send(200, {})  # running, or deleted/interrupted: no outputs
            if h["polls"] < 2:
                return self.send(200, {})
        name = "lb_%05d_.png" % h["n"]
        sub = ""
        if h["mode"] == "escape":
            name = "../../../../tmp/lightbox-escape.png"
        self.send(200, {pid: {"prompt": [h["n"], pid, {}, {}, ["9"]],
                              "outputs": {"9": {"images": [{"filename": name, "subfolder": sub, "type": "output"}]},
                                          "12": {"images": [{"filename": "preview.png", "subfolder": "",
                                                             "type": "temp"}]}},
                              "status": {"status_str": "success", "completed": True, "messages": []},
                              "meta": {}}})

    def comfy_view(self, errors):
        q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query, keep_blank_values=True)
        for k in ("filename", "subfolder", "type"):
            if k not in q:
                errors.append("view: query parameter %s is missing" % k)
        fn = q.get("filename", [""])[0]
        if "/" in fn or ".." in fn:
            errors.append("view: asked for a file outside the output folder: %s" % fn)
        self.record(errors, {"filename": fn})
        if errors:
            return self.send(400, self.error_body(400, "; ".join(errors)))
        self.send(200, image_bytes(len(fn)), "image/png")

    def comfy_queue(self, errors):
        """GET /queue: prompts still running or waiting (hang mode), as
        [number, prompt_id, prompt, extra_data, outputs]."""
        self.record(errors)
        with LOCK:
            live = sorted((h["n"], pid) for pid, h in HISTORY.items()
                          if h["mode"] == "hang" and not h.get("stopped"))
        entries = [[n, pid, {}, {}, ["9"]] for n, pid in live]
        self.send(200, {"queue_running": entries[:1], "queue_pending": entries[1:]})

    def comfy_queue_change(self, errors):
        """POST /queue {"delete": [prompt_id, ...]} or {"clear": true}."""
        body = self.json_body(errors)
        self.check_fields(body, [], {"delete", "clear"}, {"delete": list, "clear": bool}, errors, "POST /queue")
        if isinstance(body, dict) and not ("delete" in body or "clear" in body):
            errors.append("POST /queue: neither delete nor clear")
        if isinstance(body, dict) and any(not isinstance(x, str) for x in body.get("delete", [])):
            errors.append("POST /queue: delete holds something that is not a prompt id")
        self.record(errors, {"delete": body.get("delete") if isinstance(body, dict) else None})
        if errors:
            return self.send(400, self.error_body(400, "; ".join(errors)))
        with LOCK:
            first = min(((h["n"], pid) for pid, h in HISTORY.items()
                         if h["mode"] == "hang" and not h.get("stopped")), default=(0, None))[1]
            for pid in body.get("delete", []):
                # ComfyUI deletes only what waits; the running one needs /interrupt.
                if pid in HISTORY and pid != first:
                    HISTORY[pid]["stopped"] = "deleted"
        self.send(200, {})

    def comfy_interrupt(self, errors):
        """POST /interrupt, optionally {"prompt_id": id} (newer ComfyUI)."""
        raw = self.body_bytes()
        body = {}
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                errors.append("POST /interrupt: the body is not JSON")
        if not isinstance(body, dict) or not isinstance(body.get("prompt_id", ""), str):
            errors.append("POST /interrupt: prompt_id is not a string")
            body = {}
        with LOCK:
            live = sorted((h["n"], pid) for pid, h in HISTORY.items()
                          if h["mode"] == "hang" and not h.get("stopped"))
            running = live[0][1] if live else None
            if running and body.get("prompt_id", running) == running:
                HISTORY[running]["stopped"] = "interrupted"
        self.record(errors, {"prompt_id": body.get("prompt_id"), "interrupted": running})
        self.send(200, {})

    def comfy_stats(self, errors):
        self.record(errors)
        self.send(200, {"system": {"os": "posix", "comfyui_version": "0.3.40", "python_version": "3.11"},
                        "devices": []})

    # ------------------------------------------------------------ Ollama

    def ollama_text(self, errors):
        body = self.json_body(errors)
        chat = self.path.startswith("/api/chat")
        if chat:
            self.check_fields(body, ["model", "messages"], {"model", "messages", "tools", "format", "options",
                                                            "stream", "keep_alive", "think", "logprobs"},
                              {"model": str, "messages": list, "options": dict, "stream": bool}, errors, "ChatRequest")
        else:
            self.check_fields(body, ["model"], {"model", "prompt", "suffix", "images", "format", "system",
                                                "stream", "think", "raw", "keep_alive", "options", "logprobs",
                                                "template"},
                              {"model": str, "prompt": str, "system": str, "options": dict, "stream": bool}, errors,
                              "GenerateRequest")
        if isinstance(body, dict):
            if body.get("stream", True) is not False:
                errors.append("stream is not false: the reply would be NDJSON")
            opts = body.get("options", {})
            if "seed" in opts and not isinstance(opts["seed"], int):
                errors.append("options.seed is not an integer")
        if errors:
            self.record(errors)
            return self.send(400, self.error_body(400, "; ".join(errors)))
        seed = body.get("options", {}).get("seed")
        self.record(errors, {"seed": seed})
        text = "Evenings by the harbour light (seed %s)" % seed
        if self.mode == "bigtext":
            return self.send_bigtext(
                b'{"model": "' + body["model"].encode() + b'", "created_at": "2026-11-27T00:00:00Z", '
                + (b'"message": {"role": "assistant", "content": "' if chat else b'"response": "'),
                int(self.arg or 9 << 20),
                (b'"}' if chat else b'"') + b', "done": true, "done_reason": "stop"}')
        if self.mode == "ndjson":
            words = text.split(" ")
            lines = []
            for i, w in enumerate(words):
                piece = (" " if i else "") + w
                obj = {"model": body["model"], "created_at": "2026-11-27T00:00:00Z", "done": False}
                if chat:
                    obj["message"] = {"role": "assistant", "content": piece}
                else:
                    obj["response"] = piece
                lines.append(json.dumps(obj))
            if self.arg == "error":
                lines.append(json.dumps({"error": "model ran out of memory mid-stream"}))
            lines.append(json.dumps({"model": body["model"], "done": True, "done_reason": "stop",
                                     **({"message": {"role": "assistant", "content": ""}} if chat else {"response": ""})}))
            return self.send(200, "\n".join(lines) + "\n", "application/x-ndjson")
        reply = {"model": body["model"], "created_at": "2026-11-27T00:00:00Z", "done": True, "done_reason": "stop",
                 "total_duration": 1000, "eval_count": 7}
        if chat:
            reply["message"] = {"role": "assistant", "content": text}
        else:
            reply["response"] = text
        self.send(200, reply)

    def ollama_tags(self, errors):
        self.record(errors)
        self.send(200, {"models": [{"name": "llama3.2:latest", "model": "llama3.2:latest", "size": 1,
                                    "digest": "0" * 64, "details": {"family": "llama"}}]})


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", help="append one JSON line per request here")
    ap.add_argument("--key", help="expect Authorization: Bearer KEY (OpenAI, Ollama, ComfyUI)")
    ap.add_argument("--basic", help="expect HTTP Basic USER:PASS (AUTOMATIC1111 --api-auth)")
    ap.add_argument("--echo-key", action="store_true", help="a wrong key is echoed in the 401 message")
    ap.add_argument("--per-client", action="store_true",
                    help="/_stats also tells the most requests in flight per client process (max_inflight_by_pid)")
    ap.add_argument("--image-bytes", type=int, default=0, help="pictures of about this many bytes")
    ap.add_argument("--a1111-time", type=float, default=0.0, help="seconds txt2img takes")
    ARGS = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    print("PORT %d" % srv.server_port, flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
