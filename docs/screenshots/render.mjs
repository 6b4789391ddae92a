// Turns one insta snapshot of perfgate's Markdown comment into a standalone HTML page that looks
// like the comment on GitHub: GFM rendered by `marked`, styled by `github-markdown-css` (light),
// inside a comment box. Used by render.sh; usage: node render.mjs SNAPSHOT.snap OUT.html
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { marked } from "marked";

const [snapshot, out] = process.argv.slice(2);
if (!snapshot || !out) {
  console.error("usage: node render.mjs SNAPSHOT.snap OUT.html");
  process.exit(2);
}

// insta writes a YAML header between two `---` lines before the snapshot itself.
const text = readFileSync(snapshot, "utf8");
const header = /^---\n[\s\S]*?\n---\n/;
if (!header.test(text)) {
  console.error(`${snapshot}: expected insta's \`---\` header at the top`);
  process.exit(2);
}
const markdown = text.replace(header, "");

const require = createRequire(import.meta.url);
const css = readFileSync(require.resolve("github-markdown-css/github-markdown-light.css"), "utf8");
// GitHub Flavored Markdown, as in comments: tables, strikethrough, autolinks; single newlines
// inside a paragraph are not line breaks (a comment keeps them, but perfgate writes none).
const body = marked.parse(markdown, { gfm: true, breaks: false });

// The page measures its own height so that render.sh can crop the screenshot to the comment.
writeFileSync(
  out,
  `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>perfgate comment</title>
<style>
${css}
html, body { margin: 0; background: #ffffff; }
.comment { margin: 12px; border: 1px solid #d1d9e0; border-radius: 6px; overflow: hidden; }
.comment-header { background: #f6f8fa; border-bottom: 1px solid #d1d9e0; padding: 8px 16px;
  font: 14px -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif;
  color: #59636e; }
.comment-header b { color: #1f2328; }
.markdown-body { font-size: 14px; padding: 16px; }
</style></head>
<body>
<div class="comment" id="comment">
<div class="comment-header"><b>github-actions</b> bot commented</div>
<div class="markdown-body">
${body}
</div>
</div>
<script>
document.body.dataset.height = String(Math.ceil(document.getElementById("comment").getBoundingClientRect().bottom) + 12);
</script>
</body></html>
`,
);
