#!/usr/bin/python3
"""Hostile-input corpus for the crossview binary (docs/reliability.md, "Hostile inputs").

usage: hostile_inputs_test.py BUILD_DIR SOURCE_DIR

Generates every input here, runs the command a user would run on it, and requires for each case:
  * the process survives: exit status 1 (a failure) or 2 (invalid input or usage), never a signal,
    an abort or a timeout;
  * exactly one stderr line is crossview's "crossview <command>: error: ..." and it names the problem
    (an expected fragment); never "internal error" (an exception nobody turned into a clear
    message). Diagnostics a library prints itself (libpng) are recorded, not counted;
  * nothing written before is lost: an existing index still verifies after a failed build into
    it, a malicious pickle never runs its payload, a failed import leaves no output behind.
Cases expected to succeed (16-bit and grey images) must exit 0.
Writes BUILD_DIR/test_tmp/hostile_inputs.json (one row per case) and exits 1 on any failure.
Exit 77 (skipped) when the aerial imagery cache is missing and CI is not true.
"""
import json
import os
import pickle
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib


def png(width, height, channels=3, bit_depth=8, claim=None):
    """A PNG written by hand: gradient pixels; `claim` = (w, h) written into IHDR without data."""
    colour = {1: 0, 3: 2, 4: 6}[channels]
    w, h = claim or (width, height)
    ihdr = struct.pack(">IIBBBBB", w, h, bit_depth, colour, 0, 0, 0)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
    if claim:
        return out
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            for c in range(channels):
                v = (x * 7 + y * 13 + c * 50) % 256
                rows += bytes([v, v]) if bit_depth == 16 else bytes([v])
    return out + chunk(b"IDAT", zlib.compress(bytes(rows))) + chunk(b"IEND", b"")


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    build, src = os.path.abspath(argv[1]), os.path.abspath(argv[2])
    binary = os.path.join(build, "bin", "crossview")
    os.chdir(src)
    if subprocess.run([binary, "data", "verify"], capture_output=True).returncode != 0:
        if os.environ.get("CI") == "true":
            print("the aerial imagery cache is missing (run scripts/setup.sh)", file=sys.stderr)
            return 1
        print("skipping: the aerial imagery cache is missing (run scripts/setup.sh)")
        return 77
    tmp_root = os.path.join(build, "test_tmp")
    os.makedirs(tmp_root, exist_ok=True)
    work = tempfile.mkdtemp(prefix="crossview-hostile.", dir=tmp_root)
    try:
        return run_cases(binary, build, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_cases(binary, build, work):
    p = lambda *parts: os.path.join(work, *parts)  # noqa: E731

    def write(name, data):
        with open(p(name), "wb") as f:
            f.write(data)
        return p(name)

    def cv(*args):
        return subprocess.run([binary, *args], capture_output=True, text=True, errors="replace", timeout=300)

    # Valid assets: a small real-imagery map, its index, one drone frame.
    for args in (["synth", "map", "-q", "--out", p("map.tif"), "--textures", "town-europe", "--tile-m", "400",
                  "--flight", p("flight"), "--frames", "2", "--seed", "5"],
                 ["index", "build", "-q", "--map", p("map.tif"), "--checkpoint", "models/demo/retrieval", "--out", p("index"),
                  "--tile-m", "120", "--stride-m", "70"]):
        r = cv(*args)
        if r.returncode != 0:
            print(r.stdout, r.stderr, file=sys.stderr)
            return 1
    index = p("index")
    frame = p("flight", "frame-0000.jpg")
    good_png = open(frame, "rb").read()

    import torch  # Debian's python3-torch writes the checkpoints the way users' files are written

    torch.save({"conv1.weight": torch.zeros(8, 3, 3, 3)}, p("tiny.pth"))
    full = open(p("tiny.pth"), "rb").read()
    torch.manual_seed(0)
    import torchvision

    torch.save(torchvision.models.resnet18().state_dict(), p("resnet18.pth"))

    class Payload:  # pickles as GLOBAL os.system + REDUCE: must never run
        def __reduce__(self):
            return (os.system, ("touch " + p("PWNED"),))

    write("evil.pkl", pickle.dumps(Payload(), protocol=2))
    # The same payload as the data.pkl of a torch zip checkpoint.
    import zipfile

    with zipfile.ZipFile(p("evil.pth"), "w", zipfile.ZIP_STORED) as z:
        z.writestr("evil/data.pkl", pickle.dumps({"state_dict": Payload()}, protocol=2))
        z.writestr("evil/version", "3\n")

    cases = []

    def case(name, group, args, expect=None, ok=False, check=None):
        cases.append({"name": name, "group": group, "args": args, "expect": expect, "ok": ok, "check": check})

    # Images (drone frames: `crossview locate --image`).
    img = lambda f: ["locate", "--index", index, "--image", f]  # noqa: E731
    case("missing file", "image", img(p("nope.jpg")), "not found")
    case("zero-size file", "image", img(write("empty.jpg", b"")), "empty")
    case("truncated JPEG", "image", img(write("truncated.jpg", good_png[: len(good_png) // 2])), "truncated")
    case("truncated PNG", "image", img(write("truncated.png", png(64, 64)[:200])), "decode")
    case("not an image (text named .jpg)", "image", img(write("text.jpg", b"hello, this is not a JPEG\n" * 40)), "decode")
    case("PNG header claiming 30000 x 30000", "image", img(write("huge.png", png(0, 0, claim=(30000, 30000)))), "too large")
    case("a directory given as the image", "image", img(work), None)
    case("16-bit RGB PNG (decoded to 8 bit)", "image", img(write("deep.png", png(96, 96, 3, 16))), ok=True)
    case("grey PNG (decoded to RGB)", "image", img(write("grey.png", png(96, 96, 1))), ok=True)
    case("RGBA PNG (alpha dropped)", "image", img(write("rgba.png", png(96, 96, 4))), ok=True)

    # Maps (`crossview index build --map`).
    build_into = lambda m, out: ["index", "build", "-q", "--map", m, "--checkpoint", "models/demo/retrieval", "--out", out]  # noqa: E731
    case("map without georeference (PNG)", "map", build_into(write("plain.png", png(300, 300)), p("idx-plain")), "georeference")
    subprocess.run(["gdal_translate", "-q", "-of", "GTiff", p("plain.png"), p("nogeo.tif")], check=True)
    case("GeoTIFF without georeference", "map", build_into(p("nogeo.tif"), p("idx-nogeo")), "georeference")
    subprocess.run(["gdal_translate", "-q", "-of", "GTiff", "-a_ullr", "10", "50", "10", "50", "-a_srs", "EPSG:4326",
                    p("plain.png"), p("zero.tif")], capture_output=True)
    if os.path.exists(p("zero.tif")):
        case("GeoTIFF with zero area (corners equal)", "map", build_into(p("zero.tif"), p("idx-zero")), None)
    subprocess.run(["gdal_translate", "-q", "-of", "GTiff", "-a_ullr", "0", "300", "300", "0", "-a_srs",
                    'LOCAL_CS["engineering",UNIT["metre",1]]', p("plain.png"), p("local.tif")], capture_output=True)
    if os.path.exists(p("local.tif")):
        case("GeoTIFF in a local (engineering) CRS", "map", build_into(p("local.tif"), p("idx-local")), None)
    case("corrupt GeoTIFF", "map", build_into(write("corrupt.tif", open(p("map.tif"), "rb").read()[:4096]), p("idx-corrupt")), None)
    shutil.copytree(index, p("index-keep"))
    case("failed build into an existing index", "map", build_into(p("nogeo.tif"), p("index-keep")), None,
         check=lambda: cv("index", "info", p("index-keep")).returncode == 0)

    # Checkpoints (`crossview import`, `crossview model run`).
    imp = lambda f, out, arch="resnet50": ["import", "--arch", arch, f, out]  # noqa: E731
    case("truncated torch zip", "checkpoint", imp(write("cut.pth", full[: len(full) // 2]), p("out-cut")), None,
         check=lambda: not os.path.exists(p("out-cut")))
    case("zero-size checkpoint", "checkpoint", imp(write("zero.pth", b""), p("out-zero")), None,
         check=lambda: not os.path.exists(p("out-zero")))
    case("random bytes as a checkpoint", "checkpoint", imp(write("noise.pth", os.urandom(5000)), p("out-noise")), None,
         check=lambda: not os.path.exists(p("out-noise")))
    case("malicious pickle (os.system in GLOBAL/REDUCE)", "checkpoint", imp(p("evil.pkl"), p("out-evil")), None,
         check=lambda: not os.path.exists(p("PWNED")) and not os.path.exists(p("out-evil")))
    case("malicious pickle inside a torch zip", "checkpoint", imp(p("evil.pth"), p("out-evil2")), None,
         check=lambda: not os.path.exists(p("PWNED")) and not os.path.exists(p("out-evil2")))
    case("checkpoint for another architecture (ResNet-18 as ResNet-50)", "checkpoint",
         imp(p("resnet18.pth"), p("out-arch")), "missing", check=lambda: not os.path.exists(p("out-arch")))
    case("retrieval model directory with a truncated model.pt", "checkpoint",
         ["eval", "ir", "--model", broken_model(p, write), "--data", work], None)

    # Configs and options (`crossview train ir --config`, `--set`).
    tr = lambda *extra: ["train", "ir", "--method", "msba", "--preset", "cpu-tiny", "--data", work, "--out", p("run"), *extra]  # noqa: E731
    case("config with an unknown key", "config", tr("--config", write("unknown.json", b'{"optim": {"learning_rate": 0.1}}')), "unknown")
    case("config with a wrong type", "config", tr("--config", write("type.json", b'{"optim": {"lr": "fast"}}')), "optim.lr")
    case("config that is not JSON", "config", tr("--config", write("bad.json", b'{"optim": {')), None)
    case("--set with an unknown key", "config", tr("--set", "optim.nope=1"), "unknown")
    case("--set value that is not UTF-8", "config", tr("--set", "model.method=\udcff"), None)

    # Dataset layouts (`crossview eval ir --data`).
    os.makedirs(p("empty-data"))
    case("empty dataset directory", "dataset", ["eval", "ir", "--model", "models/demo/retrieval", "--data", p("empty-data")], None)
    os.makedirs(p("u1652", "test", "query_drone"))
    case("University-1652 layout with missing folders", "dataset", ["eval", "ir", "--model", "models/demo/retrieval", "--data", p("u1652")], None)

    # Index directories (`crossview index info`, `crossview locate`).
    def broken_index(name, mutate):
        d = p(name)
        shutil.copytree(index, d)
        mutate(d)
        return d

    def flip(path):
        data = bytearray(open(path, "rb").read())
        data[len(data) // 2] ^= 0xFF
        open(path, "wb").write(bytes(data))

    def edit_manifest(key, value):
        def edit(d):
            j = json.load(open(os.path.join(d, "index.json")))
            j[key] = value
            json.dump(j, open(os.path.join(d, "index.json"), "w"))
        return edit

    case("index without index.faiss", "index", ["index", "info", broken_index("i-nofaiss", lambda d: os.remove(os.path.join(d, "index.faiss")))], None)
    case("index with a flipped byte in descriptors.npy", "index", ["index", "info", broken_index("i-flip", lambda d: flip(os.path.join(d, "descriptors.npy")))], "SHA-256 mismatch")
    case("index without SHA256SUMS", "index", ["index", "info", broken_index("i-nosums", lambda d: os.remove(os.path.join(d, "SHA256SUMS")))], None)
    case("index format version from the future", "index",
         ["index", "info", "--no-verify", broken_index("i-future", edit_manifest("format_version", 99))], "newer crossview")
    case("index format version of the wrong type", "index",
         ["index", "info", "--no-verify", broken_index("i-vtype", edit_manifest("format_version", "1"))], "format_version")
    case("index format name of the wrong type", "index",
         ["index", "info", "--no-verify", broken_index("i-ftype", edit_manifest("format", 99))], "not a crossview tile index")
    case("index.json that is not JSON", "index", ["index", "info", broken_index("i-json", lambda d: open(os.path.join(d, "index.json"), "w").write("{"))], None)
    case("locate on a corrupt index", "index", ["locate", "--index", p("i-flip"), "--image", frame], "failed verification")
    case("a file given as the index", "index", ["index", "info", frame], None)

    rows, failures = [], []
    for c in cases:
        try:
            r = cv(*c["args"])
            rc, err = r.returncode, r.stderr
        except subprocess.TimeoutExpired:
            rc, err = "timeout", ""
        error_lines = [line for line in err.splitlines() if line.startswith("crossview") and " error: " in line]
        internal = [line for line in err.splitlines() if "internal error" in line]
        message = error_lines[0] if error_lines else ""
        problems = []
        if c["ok"]:
            if rc != 0:
                problems.append(f"expected success, exit {rc}: {err.strip()[-300:]}")
        else:
            if rc not in (1, 2):
                problems.append(f"exit {rc} (want 1 or 2: a handled error; negative = killed by a signal)")
            if internal:
                problems.append(f"an internal error: {internal[0]!r}")
            if len(error_lines) != 1:
                problems.append(f"{len(error_lines)} error lines (want 1): {err.strip()[-300:]!r}")
            if c["expect"] and c["expect"].lower() not in message.lower():
                problems.append(f"the error does not mention {c['expect']!r}: {message!r}")
        if c["check"] and not c["check"]():
            problems.append("an earlier output was damaged or an output / payload appeared")
        library = [line for line in err.splitlines() if line.strip() and not line.startswith("crossview") and "error" in line.lower()]
        rows.append({"group": c["group"], "case": c["name"], "exit": rc, "message": message, "library_stderr": library[:2],
                     "ok": not problems})
        status = "ok  " if not problems else "FAIL"
        print(f"{status} [{c['group']}] {c['name']}: exit {rc}; {message[:160]}")
        for prob in problems:
            failures.append(f"{c['name']}: {prob}")
    json.dump(rows, open(os.path.join(build, "test_tmp", "hostile_inputs.json"), "w"), indent=1)
    for f in failures:
        print("FAILED", f, file=sys.stderr)
    print(f"{len(rows)} hostile inputs, {len(failures)} failures")
    return 1 if failures else 0


def broken_model(p, write):
    d = p("broken-model")
    shutil.copytree("models/demo/retrieval", d)
    data = open(os.path.join(d, "model.pt"), "rb").read()
    open(os.path.join(d, "model.pt"), "wb").write(data[: len(data) // 3])
    return d


if __name__ == "__main__":
    sys.exit(main(sys.argv))
