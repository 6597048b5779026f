"""busybox httpd as a container would run it: which command lines start it and how, and what it answers,
from the files the Pod's configMap volumes put in the container's filesystem."""

import base64
import email.utils
import getopt
import posixpath
import shlex
import urllib.parse

SHELLS = ("sh", "ash", "bash")
# busybox httpd's options (`httpd --help`): -i -f -v[v] -p [IP:]PORT -u USER[:GRP] -r REALM -h HOME -c FILE
# -m STRING -e STRING -d STRING.
OPTIONS = "ifvp:u:r:h:c:m:e:d:"
CONTENT_TYPES = {".html": "text/html", ".htm": "text/html", ".txt": "text/plain", ".css": "text/css",
                 ".js": "application/javascript", ".json": "application/json", ".png": "image/png",
                 ".jpg": "image/jpeg", ".gif": "image/gif", ".svg": "image/svg+xml"}
ERROR_TEXT = {400: ("Bad Request", "Unsupported method"), 404: ("Not Found", "The requested URL was not found"),
              501: ("Not Implemented", "The requested method is not recognized")}


class Httpd:
    """What a container's command line does. `outcome`: "serving" (httpd -f: listens on `port`, serves
    `home`), "exits" (httpd without -f daemonizes, or with -i serves stdin: the container's process ends with
    `exit_code`), or "other" (not httpd: runs, serves nothing)."""

    def __init__(self, outcome, port=None, home="/", exit_code=0):
        self.outcome = outcome
        self.port = port
        self.home = home
        self.exit_code = exit_code


def command_line(container):
    """The argv a container runs (busybox's image runs `sh` when neither command nor args are given)."""
    command, args = container.get("command") or [], container.get("args") or []
    argv = [str(x) for x in command + args] if command else [str(x) for x in args]
    return argv or ["sh"]


def _httpd_argv(argv):
    """The argv of httpd when the command line runs it (directly, through `busybox`, or in `sh -c`), else None."""
    if posixpath.basename(argv[0]) in SHELLS and "-c" in argv[1:]:
        at = argv.index("-c")
        if at + 1 >= len(argv):
            return None
        try:
            argv = shlex.split(argv[at + 1])
        except ValueError:
            return None
        while argv and argv[0] == "exec":
            argv = argv[1:]
        if not argv:
            return None
    if posixpath.basename(argv[0]) == "busybox":
        argv = argv[1:]
    return argv if argv and posixpath.basename(argv[0]) == "httpd" else None


def parse(container):
    argv = _httpd_argv(command_line(container))
    if argv is None:
        return Httpd("other")
    try:
        options, rest = getopt.getopt(argv[1:], OPTIONS)
    except getopt.GetoptError:
        return Httpd("exits", exit_code=1)  # busybox prints its usage and exits 1
    if rest:
        return Httpd("exits", exit_code=1)
    found = dict(options)
    if "-i" in found or "-f" not in found:
        return Httpd("exits", exit_code=0)
    port_text = found.get("-p", "80").rsplit(":", 1)[-1]
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        return Httpd("exits", exit_code=1)
    return Httpd("serving", port=int(port_text), home=found.get("-h", "/"))


# ---------------------------------------------------------------------------------------------- files

def _file_content(configmap, key):
    if key in (configmap.get("data") or {}):
        return configmap["data"][key].encode()
    if key in (configmap.get("binaryData") or {}):
        return base64.b64decode(configmap["binaryData"][key])
    return None


def files(snapshot, pod, container):
    """{absolute path: bytes} of the files the container's configMap volume mounts hold now."""
    volumes = {v.get("name"): v for v in (pod.get("spec") or {}).get("volumes") or [] if isinstance(v, dict)}
    namespace = pod["metadata"].get("namespace", "")
    out = {}
    for mount in container.get("volumeMounts") or []:
        source = (volumes.get(mount.get("name")) or {}).get("configMap")
        if not isinstance(source, dict) or mount.get("subPath"):
            continue
        configmap = snapshot.get("configmaps", namespace, source.get("name"))
        if configmap is None:
            continue
        root = _absolute(mount.get("mountPath", "/"))
        items = source.get("items")
        pairs = [(i.get("key"), i.get("path")) for i in items] if items else \
            [(k, k) for k in list(configmap.get("data") or {}) + list(configmap.get("binaryData") or {})]
        for key, path in pairs:
            content = _file_content(configmap, key)
            if content is not None and path:
                out[posixpath.normpath(posixpath.join(root, path))] = content
    return out


def _absolute(path):
    """`path` from the container's root, normalized (normpath alone keeps a leading `//`)."""
    return posixpath.normpath("/" + str(path).lstrip("/"))


def _is_directory(path, tree):
    prefix = path.rstrip("/") + "/"
    return path == "/" or any(name.startswith(prefix) for name in tree)


# ---------------------------------------------------------------------------------------------- answers

def error(code):
    title, text = ERROR_TEXT[code]
    body = (f"<HTML><HEAD><TITLE>{code} {title}</TITLE></HEAD>\n<BODY><H1>{code} {title}</H1>\n{text}\n"
            "</BODY></HTML>\n").encode()
    return code, {"Content-Type": "text/html"}, body


def answer(httpd, tree, method, raw_path):
    """(status, headers, body) busybox httpd gives for `method raw_path` with `tree` as its files."""
    if method not in ("GET", "HEAD"):
        return error(501)
    path = urllib.parse.unquote(urllib.parse.urlsplit(raw_path).path or "/")
    parts = []
    for part in path.split("/"):
        if part == "..":
            if not parts:
                return error(400)
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    relative = "/".join(parts) + ("/" if path.endswith("/") and parts else "")
    full = posixpath.join(_absolute(httpd.home), relative)
    if full.endswith("/"):
        full += "index.html"
    elif _is_directory(full, tree):
        location = (path if path.endswith("/") else path + "/")
        return 302, {"Location": location, "Content-Type": "text/html"}, b""
    content = tree.get(full)
    if content is None:
        return error(404)
    kind = CONTENT_TYPES.get(posixpath.splitext(full)[1].lower(), "application/octet-stream")
    return 200, {"Content-Type": kind, "Last-Modified": email.utils.formatdate(usegmt=True),
                 "Accept-Ranges": "bytes"}, content
