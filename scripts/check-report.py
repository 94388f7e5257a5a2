#!/usr/bin/env python3
"""Render a Subcast HTML report in a real headless browser and check that it looks like a report.

Usage:
    scripts/check-report.py REPORT.html [OUT.png] [CHART-ID ...] [options]

    REPORT.html   the report to check (from HTMLReport.render or HTMLReport.renderFit)
    OUT.png       where to keep the screenshot (default: a temporary file, removed afterwards)
    CHART-ID      data-chart values that must be present; default: the five charts of a run
                  report (mrr-fan active-fan retention cltv-histogram mrr-bridge); --fit means
                  fit-check and cohort-fit

Options:
    --fit                 expect the charts of a fit report
    --browser PATH        the browser (default: $CHROMIUM, else chromium, chromium-browser,
                          google-chrome on PATH)
    --window W,H          window size of the screenshot (default 1280,4000); when the page is
                          longer, the screenshot is retaken 4000 px taller, up to --max-height
    --max-height H        tallest screenshot (default 16000)
    --min-ink FRACTION    least fraction of non-white screenshot pixels (default 0.02)
    --min-shapes N        least drawn shapes per chart outside its legend (default 3)

What it verifies (each failure is reported on its own line, exit status 1):
  * the browser renders the file: `--screenshot` writes a PNG and `--dump-dom` the DOM;
  * the PNG (decoded here with zlib and PNG filter reconstruction, no imaging library) is not
    blank: at least --min-ink of its pixels are not white, it has more than a handful of
    colours, and no single colour other than the background covers nearly everything;
  * the rendered DOM has an <svg data-chart="ID"> for every expected chart, each with a
    viewBox, axis text and at least --min-shapes drawn paths/rects/circles/polygons outside
    the legend (gridlines and the white background do not count);
  * no element of the source or the rendered DOM references anything outside the file: no
    src/href/xlink:href/srcset/poster/data/action attribute other than a #fragment or a data:
    URL, no url(...) other than url(#...) or data: and no @import in style sheets or style
    attributes, no <link> or <base> element, no <script src>, no meta refresh.
On success it prints one summary line and exits 0. Exit status 2: usage or environment errors
(no browser, unreadable file).

Standard library only.
"""

import argparse
import html.parser
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

RUN_CHARTS = ["mrr-fan", "active-fan", "retention", "cltv-histogram", "mrr-bridge"]
FIT_CHARTS = ["fit-check", "cohort-fit"]


class UsageError(Exception):
    """Problems with the environment or arguments (exit status 2)."""


# ---------------------------------------------------------------------------------------------
# PNG decoding

def _swar_add(a, b, lo_mask, hi_mask):
    """Byte-wise addition modulo 256 of two rows packed into integers."""
    return ((a & lo_mask) + (b & lo_mask)) ^ ((a ^ b) & hi_mask)


def _paeth(a, b, c):
    p = a + b - c
    pa = abs(p - a)
    pb = abs(p - b)
    pc = abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    if pb <= pc:
        return b
    return c


def decode_png(path):
    """Returns (width, height, channels, rows): rows is a list of bytes, `channels` bytes a pixel.

    Supports 8-bit greyscale, greyscale+alpha, RGB, RGBA and palette images without interlacing
    (what browsers write for screenshots); palette images are expanded to RGB(A).
    """
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file (bad signature)")
    pos = 8
    idat = []
    ihdr = None
    palette = None
    transparency = None
    while pos + 8 <= len(data):
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        crc = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0]
        if zlib.crc32(ctype + chunk) & 0xFFFFFFFF != crc:
            raise ValueError("PNG chunk %r has a bad CRC" % ctype)
        pos += 12 + length
        if ctype == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", chunk)
        elif ctype == b"PLTE":
            palette = chunk
        elif ctype == b"tRNS":
            transparency = chunk
        elif ctype == b"IDAT":
            idat.append(chunk)
        elif ctype == b"IEND":
            break
    if ihdr is None:
        raise ValueError("PNG without IHDR")
    width, height, depth, color, _compression, _filter, interlace = ihdr
    if depth != 8:
        raise ValueError("unsupported PNG bit depth %d" % depth)
    if interlace != 0:
        raise ValueError("interlaced PNGs are not supported")
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}.get(color)
    if channels is None:
        raise ValueError("unsupported PNG colour type %d" % color)
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    if len(raw) != height * (stride + 1):
        raise ValueError("PNG data has %d bytes, expected %d" % (len(raw), height * (stride + 1)))

    bpp = channels
    lo_mask = int.from_bytes(b"\x7f" * stride, "big")
    hi_mask = int.from_bytes(b"\x80" * stride, "big")
    prev = bytes(stride)
    prev_int = 0
    rows = []
    for y in range(height):
        start = y * (stride + 1)
        ftype = raw[start]
        line = raw[start + 1:start + 1 + stride]
        if ftype == 0:                                   # None
            out = bytes(line)
            out_int = None
        elif ftype == 2:                                 # Up: vectorised byte-wise addition
            out_int = _swar_add(int.from_bytes(line, "big"), prev_int, lo_mask, hi_mask)
            out = out_int.to_bytes(stride, "big")
        elif ftype == 1:                                 # Sub: prefix sums per channel lane
            x = int.from_bytes(line, "big")
            shift = bpp
            while shift < stride:
                x = _swar_add(x, x >> (8 * shift), lo_mask, hi_mask)
                shift *= 2
            out_int = x
            out = x.to_bytes(stride, "big")
        elif ftype == 3:                                 # Average
            buf = bytearray(line)
            for i in range(stride):
                left = buf[i - bpp] if i >= bpp else 0
                buf[i] = (buf[i] + ((left + prev[i]) >> 1)) & 0xFF
            out = bytes(buf)
            out_int = None
        elif ftype == 4:                                 # Paeth
            buf = bytearray(line)
            for i in range(stride):
                if i >= bpp:
                    buf[i] = (buf[i] + _paeth(buf[i - bpp], prev[i], prev[i - bpp])) & 0xFF
                else:
                    buf[i] = (buf[i] + prev[i]) & 0xFF
            out = bytes(buf)
            out_int = None
        else:
            raise ValueError("bad PNG filter type %d in row %d" % (ftype, y))
        rows.append(out)
        prev = out
        prev_int = out_int if out_int is not None else int.from_bytes(out, "big")

    if color == 3:
        if palette is None:
            raise ValueError("palette PNG without PLTE")
        alpha = transparency or b""
        channels = 4 if alpha else 3
        table = []
        for i in range(len(palette) // 3):
            entry = palette[3 * i:3 * i + 3]
            if alpha:
                entry += bytes([alpha[i] if i < len(alpha) else 255])
            table.append(entry)
        rows = [b"".join(table[v] for v in row) for row in rows]
    return width, height, channels, rows


def ink_statistics(width, height, channels, rows):
    """Fraction of non-white pixels, distinct colours, share of the most common colour,
    and whether the bottom rows have ink (content possibly cut off)."""
    white_rgb = b"\xff\xff\xff"
    counts = {}
    non_white = 0
    bottom_ink = False
    for y, row in enumerate(rows):
        if channels in (3, 4):
            if channels == 4:
                # Composite over white: treat fully transparent pixels as white.
                px = [row[i:i + 3] if row[i + 3] > 0 else white_rgb for i in range(0, len(row), 4)]
            else:
                if row == white_rgb * width:
                    counts[white_rgb] = counts.get(white_rgb, 0) + width
                    continue
                px = [row[i:i + 3] for i in range(0, len(row), 3)]
        else:
            step = channels
            px = [bytes([row[i]]) * 3 for i in range(0, len(row), step)]
        row_ink = 0
        for p in px:
            counts[p] = counts.get(p, 0) + 1
            if p[0] < 240 or p[1] < 240 or p[2] < 240:
                row_ink += 1
        non_white += row_ink
        if row_ink and y >= height - 40:
            bottom_ink = True
    total = width * height
    top_colour, top_count = max(counts.items(), key=lambda kv: kv[1]) if counts else (white_rgb, 0)
    return {
        "ink": non_white / total if total else 0.0,
        "colours": len(counts),
        "top_colour": top_colour,
        "top_share": top_count / total if total else 1.0,
        "bottom_ink": bottom_ink,
    }


# ---------------------------------------------------------------------------------------------
# DOM checks

URL_ATTRIBUTES = {"src", "href", "xlink:href", "srcset", "poster", "data", "action", "formaction",
                  "background", "longdesc", "lowsrc", "dynsrc", "codebase", "archive", "manifest",
                  "ping", "cite", "imagesrcset"}
SHAPES = {"path", "rect", "circle", "ellipse", "polygon", "polyline"}
CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)


def _local_reference(value):
    v = value.strip()
    return v.startswith("#") or v.lower().startswith("data:")


def _css_problems(text, where):
    problems = []
    for m in CSS_URL.finditer(text):
        if not _local_reference(m.group(2)):
            problems.append("%s references %s" % (where, m.group(0)[:80]))
    if re.search(r"@import\b", text, re.IGNORECASE):
        problems.append("%s uses @import" % where)
    return problems


class ReportParser(html.parser.HTMLParser):
    """Collects the charts (svg elements with data-chart) and external references."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.charts = []            # dicts: id, viewbox, shapes, texts, lines
        self.stack = []             # open elements: (tag, chart index or None, in_legend)
        self.external = []
        self.in_style = False
        self.style_text = []
        self.figures = 0

    def _context(self):
        return self.stack[-1][1:] if self.stack else (None, False)

    def handle_starttag(self, tag, attrs):
        self._element(tag, attrs, closed=False)

    def handle_startendtag(self, tag, attrs):
        self._element(tag, attrs, closed=True)

    def _element(self, tag, attrs, closed):
        tag = tag.lower()
        a = {k.lower(): (v or "") for k, v in attrs}
        chart, in_legend = self._context()
        # External references.
        for name, value in a.items():
            if name in URL_ATTRIBUTES and value.strip() and not _local_reference(value):
                self.external.append("<%s %s=\"%s\">" % (tag, name, value[:80]))
            if name == "style":
                self.external += _css_problems(value, "<%s style>" % tag)
        if tag in ("link", "base"):
            self.external.append("<%s> element (%s)" % (tag, a.get("href", "")[:80]))
        if tag == "script" and "src" in a:
            self.external.append("<script src=\"%s\">" % a["src"][:80])
        if tag == "meta" and a.get("http-equiv", "").lower() == "refresh":
            self.external.append("<meta http-equiv=refresh content=\"%s\">" % a.get("content", "")[:80])
        if tag == "figure":
            self.figures += 1
        # Charts and their content.
        if tag == "svg" and "data-chart" in a:
            self.charts.append({"id": a["data-chart"], "viewbox": a.get("viewbox", ""), "shapes": 0,
                                "texts": 0, "lines": 0, "legend": 0})
            chart = len(self.charts) - 1
        elif chart is not None:
            c = self.charts[chart]
            if tag == "g" and "legend" in a.get("class", "").split():
                in_legend = True
            if in_legend:
                if tag in SHAPES or tag == "line":
                    c["legend"] += 1
            elif tag in SHAPES and self._drawn(tag, a):
                c["shapes"] += 1
            elif tag == "line":
                c["lines"] += 1
            elif tag == "text":
                c["texts"] += 1
        if tag == "style":
            self.in_style = True
        if not closed and tag not in ("meta", "br", "hr", "img", "input", "link", "base", "col", "wbr", "source"):
            self.stack.append((tag, chart, in_legend))

    @staticmethod
    def _drawn(tag, a):
        """True for a shape that draws something: not empty, not the plain white background."""
        def number(name):
            try:
                return float(a.get(name, "0") or 0)
            except ValueError:
                return 0.0
        if tag == "path":
            return bool(re.search(r"[0-9]", a.get("d", "")))
        if tag in ("polygon", "polyline"):
            return bool(re.search(r"[0-9]", a.get("points", "")))
        if tag == "rect":
            fill = a.get("fill", "").strip().lower()
            background = fill in ("#fff", "#ffffff", "white") and a.get("stroke", "none") in ("", "none")
            return number("width") > 0 and number("height") > 0 and not background
        if tag in ("circle", "ellipse"):
            return number("r") > 0 or (number("rx") > 0 and number("ry") > 0)
        return False

    def handle_endtag(self, tag):
        tag = tag.lower()
        if tag == "style":
            self.in_style = False
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if self.in_style:
            self.style_text.append(data)

    def finish(self):
        self.close()
        self.external += _css_problems("".join(self.style_text), "<style>")


def parse_report(text):
    p = ReportParser()
    p.feed(text)
    p.finish()
    return p


# ---------------------------------------------------------------------------------------------
# browser

def find_browser(explicit):
    candidates = [explicit] if explicit else [os.environ.get("CHROMIUM"), "chromium", "chromium-browser",
                                               "google-chrome", "google-chrome-stable"]
    for c in candidates:
        if not c:
            continue
        path = c if os.path.sep in c else shutil.which(c)
        if path and os.access(path, os.X_OK):
            return path
    raise UsageError("no headless browser found (tried %s); install one with `apt-get install -y chromium` "
                     "or run scripts/check-report.sh, which does" % ", ".join(c for c in candidates if c))


def run_browser(browser, profile, args, url, timeout=180):
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
           "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
           "--disable-sync", "--mute-audio", "--user-data-dir=" + profile] + args + [url]
    try:
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise UsageError("%s did not finish within %d s" % (os.path.basename(browser), timeout))


def relevant_stderr(stderr):
    """The browser's stderr without the harmless D-Bus and GPU chatter."""
    lines = stderr.decode("utf-8", "replace").splitlines()
    noise = ("dbus", "D-Bus", "bytes written to file", "unexpected operator", "gpu", "GPU", "viz_main", "sandbox")
    return [l for l in lines if l.strip() and not any(n in l for n in noise)]


# ---------------------------------------------------------------------------------------------

def main(argv):
    ap = argparse.ArgumentParser(description="Render a Subcast HTML report headlessly and check it.",
                                 usage="%(prog)s REPORT.html [OUT.png] [CHART-ID ...] [options]")
    ap.add_argument("report")
    ap.add_argument("rest", nargs="*", help="OUT.png and/or expected data-chart ids")
    ap.add_argument("--fit", action="store_true", help="expect fit-check and cohort-fit")
    ap.add_argument("--browser")
    ap.add_argument("--window", default="1280,4000")
    ap.add_argument("--max-height", type=int, default=16000)
    ap.add_argument("--min-ink", type=float, default=0.02)
    ap.add_argument("--min-shapes", type=int, default=3)
    opts = ap.parse_intermixed_args(argv)

    report = os.path.abspath(opts.report)
    if not os.path.isfile(report):
        raise UsageError("%s: no such file" % opts.report)
    png_out = None
    charts = []
    for r in opts.rest:
        if r.lower().endswith(".png"):
            if png_out:
                raise UsageError("two screenshot paths given: %s and %s" % (png_out, r))
            png_out = os.path.abspath(r)
        else:
            charts.append(r)
    if opts.fit:
        charts += FIT_CHARTS
    if not charts:
        charts = list(RUN_CHARTS)
    if not re.fullmatch(r"[0-9]+,[0-9]+", opts.window):
        raise UsageError("--window expects W,H, got %r" % opts.window)
    win_w, win_h = (int(v) for v in opts.window.split(","))
    if win_w < 200 or win_h < 200:
        raise UsageError("--window %s is too small" % opts.window)
    opts.max_height = max(opts.max_height, win_h)

    with open(report, "rb") as f:
        source_bytes = f.read()
    try:
        source = source_bytes.decode("utf-8")
    except UnicodeDecodeError as e:
        raise UsageError("%s is not UTF-8: %s" % (opts.report, e))

    failures = []
    browser = find_browser(opts.browser)
    work = tempfile.mkdtemp(prefix="check-report-")
    try:
        png = png_out or os.path.join(work, "screenshot.png")
        if os.path.exists(png):
            os.remove(png)
        url = "file://" + report
        dump = run_browser(browser, os.path.join(work, "profile-dom"), ["--dump-dom"], url)
        dom = dump.stdout.decode("utf-8", "replace")
        if dump.returncode != 0 or "<html" not in dom.lower():
            msg = "; ".join(relevant_stderr(dump.stderr)[-3:]) or "no error output"
            raise UsageError("%s could not dump the DOM (exit %d): %s" % (os.path.basename(browser), dump.returncode, msg))

        # 1. The screenshot is not blank. When the page runs past the bottom of the window, the
        #    screenshot is taken again with a taller window (up to --max-height) so that all of
        #    the page is checked.
        shot_h = win_h
        stats = None
        while True:
            if os.path.exists(png):
                os.remove(png)
            shot = run_browser(browser, os.path.join(work, "profile-shot"),
                               ["--screenshot=" + png, "--window-size=%d,%d" % (win_w, shot_h)], url)
            if shot.returncode != 0 or not os.path.isfile(png):
                msg = "; ".join(relevant_stderr(shot.stderr)[-3:]) or "no error output"
                raise UsageError("%s could not take a screenshot (exit %d): %s"
                                 % (os.path.basename(browser), shot.returncode, msg))
            try:
                width, height, channels, rows = decode_png(png)
            except (ValueError, zlib.error) as e:
                failures.append("screenshot %s cannot be decoded: %s" % (png, e))
                stats = None
                break
            stats = ink_statistics(width, height, channels, rows)
            del rows
            if not stats["bottom_ink"] or shot_h >= opts.max_height:
                break
            shot_h = min(opts.max_height, shot_h + 4000)
        if stats is not None:
            if (width, height) != (win_w, shot_h):
                failures.append("screenshot is %dx%d, expected %dx%d" % (width, height, win_w, shot_h))
            if stats["colours"] <= 1:
                failures.append("screenshot is a single colour (#%s)" % stats["top_colour"].hex())
            elif stats["colours"] < 16:
                failures.append("screenshot has only %d colours; charts are probably not drawn" % stats["colours"])
            if stats["ink"] < opts.min_ink:
                failures.append("screenshot is nearly blank: %.2f %% non-white pixels (need %.2f %%)"
                                % (100 * stats["ink"], 100 * opts.min_ink))
            if stats["top_colour"] != b"\xff\xff\xff" and stats["top_share"] > 0.5:
                failures.append("background is not white: #%s covers %.0f %% of the screenshot"
                                % (stats["top_colour"].hex(), 100 * stats["top_share"]))

        # 2. Every expected chart is in the rendered DOM and draws something.
        parsed = parse_report(dom)
        found = {}
        for c in parsed.charts:
            found.setdefault(c["id"], []).append(c)
        shape_notes = []
        for cid in charts:
            if cid not in found:
                failures.append("chart %r is missing from the rendered DOM (found: %s)"
                                % (cid, ", ".join(sorted(found)) or "no charts"))
                continue
            for k, c in enumerate(found[cid]):
                label = cid if len(found[cid]) == 1 else "%s #%d" % (cid, k + 1)
                if not re.fullmatch(r"\s*[-0-9.]+[\s,]+[-0-9.]+[\s,]+[0-9.]+[\s,]+[0-9.]+\s*", c["viewbox"]):
                    failures.append("chart %s has no usable viewBox (%r)" % (label, c["viewbox"]))
                if c["shapes"] < opts.min_shapes:
                    failures.append("chart %s draws only %d shapes outside its legend (need %d)"
                                    % (label, c["shapes"], opts.min_shapes))
                if c["texts"] < 4:
                    failures.append("chart %s has only %d text elements; axes are not labelled" % (label, c["texts"]))
            shape_notes.append("%s %d" % (cid, sum(c["shapes"] for c in found[cid])))

        # 3. Nothing outside the file is referenced, in the source or after rendering.
        source_parsed = parse_report(source)
        external = list(dict.fromkeys(source_parsed.external + parsed.external))
        for e in external[:10]:
            failures.append("external reference: %s" % e)
        if len(external) > 10:
            failures.append("... and %d more external references" % (len(external) - 10))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    name = os.path.basename(report)
    if failures:
        for f in failures:
            print("check-report: FAIL %s: %s" % (name, f), file=sys.stderr)
        return 1
    extra = ""
    if stats and stats["bottom_ink"]:
        extra = "; note: the page runs past the %dx%d screenshot" % (width, height)
    print("check-report: OK %s: %d/%d charts drawn (shapes: %s), screenshot %dx%d with %.1f %% non-white pixels "
          "in %d colours%s, no external references%s"
          % (name, len(charts), len(charts), ", ".join(shape_notes), width, height, 100 * stats["ink"],
             stats["colours"], (" saved to " + png_out) if png_out else "", extra))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except UsageError as e:
        print("check-report: error: %s" % e, file=sys.stderr)
        sys.exit(2)
