#!/usr/bin/env bash
# Pictures of the PR comment for the README and the book: renders three of the comment's insta
# snapshots the way GitHub shows a comment and screenshots them.
#
# A maintainer's tool, run by hand after the comment's look changes (and the snapshots with it):
#     bash docs/screenshots/render.sh
# Neither .ci/run nor the tests run it: it needs a browser and, once, the npm registry.
#
# Needs:  chromium (Debian: apt-get install chromium fonts-liberation2 fonts-noto-color-emoji),
#         node and npm (installs marked and github-markdown-css, pinned in package.json, into
#         docs/screenshots/node_modules on the first run), optipng if present (lossless, smaller
#         PNGs; apt-get install optipng).
# Reads:  src/report/snapshots/perfgate__report__tests__{go_one_slower,k6_slower,
#         criterion_one_slower}_markdown.snap, stripped of insta's `---` header.
# Writes: docs/src/images/comment-{go,k6,criterion}.png (900 px wide, cropped to the comment,
#         device scale factor 1), and the HTML pages under docs/screenshots/build/ (ignored).
#
# render.mjs turns a snapshot into a page: GitHub Flavored Markdown by `marked` (tables,
# <details>, code spans, escapes), GitHub's light markdown CSS, 14 px text as in a comment, inside
# a comment box. Chromium runs twice per picture: once to measure the page, once to screenshot it
# at that height.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
snapshots="$root/src/report/snapshots"
images="$root/docs/src/images"
build="$here/build"
width=900

chromium_bin="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
if [ -z "$chromium_bin" ]; then
  echo "render.sh: chromium is not installed; apt-get install chromium (or set CHROMIUM=/path)" >&2
  exit 2
fi
for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "render.sh: $tool is not installed; apt-get install nodejs npm" >&2
    exit 2
  fi
done

if [ ! -d "$here/node_modules/marked" ] || [ ! -d "$here/node_modules/github-markdown-css" ]; then
  (cd "$here" && npm install --no-audit --no-fund --no-package-lock)
fi
mkdir -p "$build" "$images"

# Headless, no sandbox (this runs as root in containers), quiet about the missing D-Bus.
chrome() {
  "$chromium_bin" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --force-device-scale-factor=1 "$@" 2>/dev/null
}

for case in go:go_one_slower k6:k6_slower criterion:criterion_one_slower; do
  name="${case%%:*}"
  snap="$snapshots/perfgate__report__tests__${case#*:}_markdown.snap"
  page="$build/comment-$name.html"
  png="$images/comment-$name.png"
  node "$here/render.mjs" "$snap" "$page"
  height="$(chrome --window-size="$width,8000" --dump-dom "file://$page" |
    sed -n 's/.*data-height="\([0-9]*\)".*/\1/p' | head -n 1)"
  if [ -z "$height" ]; then
    echo "render.sh: could not measure $page in chromium" >&2
    exit 1
  fi
  chrome --window-size="$width,$height" --screenshot="$png" "file://$page" >/dev/null
  if command -v optipng >/dev/null 2>&1; then
    optipng -quiet -o2 -strip all "$png"
  fi
  echo "$png: ${width}x$height, $(wc -c <"$png") bytes"
done
