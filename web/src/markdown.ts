import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import diff from "highlight.js/lib/languages/diff";
import go from "highlight.js/lib/languages/go";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import python from "highlight.js/lib/languages/python";
import rust from "highlight.js/lib/languages/rust";
import sql from "highlight.js/lib/languages/sql";
import typescript from "highlight.js/lib/languages/typescript";
import yaml from "highlight.js/lib/languages/yaml";
import MarkdownIt, { type Token } from "markdown-it";

/**
 * Message bodies as GitHub-flavoured Markdown (tables, strikethrough, autolinks, hard line breaks
 * like a GitHub comment). Raw HTML is off, so `<b>` stays the text `<b>`; only http(s) and mailto
 * links survive; images are off, so a message cannot make the page fetch a URL. The result still
 * goes through the page's allow-list sanitizer before it reaches the DOM (MessageBody.tsx).
 */

for (const [name, language] of Object.entries({
  bash,
  diff,
  go,
  javascript,
  json,
  python,
  rust,
  sql,
  typescript,
  yaml,
}))
  hljs.registerLanguage(name, language);
hljs.registerAliases(["sh", "shell", "zsh", "console"], { languageName: "bash" });
hljs.registerAliases(["ts", "tsx"], { languageName: "typescript" });
hljs.registerAliases(["js", "jsx", "mjs"], { languageName: "javascript" });
hljs.registerAliases(["py"], { languageName: "python" });
hljs.registerAliases(["rs"], { languageName: "rust" });
hljs.registerAliases(["yml"], { languageName: "yaml" });

const SAFE_LINK = /^(https?:\/\/|mailto:)/i;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const markdown = new MarkdownIt({ html: false, linkify: true, breaks: true, typographer: false });
markdown.disable("image");
// Only links with a scheme: a bare "bun.sh" or "www.x.org" in prose stays text.
markdown.linkify.set({ fuzzyLink: false });
markdown.validateLink = (url) => SAFE_LINK.test(url.trim());

markdown.renderer.rules.link_open = (tokens, index, options, _env, self) => {
  const token = tokens[index]!;
  token.attrSet("target", "_blank");
  token.attrSet("rel", "noopener noreferrer");
  return self.renderToken(tokens, index, options);
};

markdown.renderer.rules.fence = (tokens, index) => {
  const token = tokens[index]!;
  const language = token.info.trim().split(/\s+/)[0]?.toLowerCase() ?? "";
  const known = language !== "" && hljs.getLanguage(language) !== undefined;
  const code = known
    ? hljs.highlight(token.content, { language, ignoreIllegals: true }).value
    : escapeHtml(token.content);
  const label = known ? `<span class="code-language">${escapeHtml(language)}</span>` : "";
  return `<div class="code-block">${label}<button type="button" class="copy-code">Copy</button><pre><code class="hljs">${code}</code></pre></div>`;
};

/** Inline tokens that plain prose is made of: anything else is formatting. */
const PLAIN_INLINE = new Set(["text", "softbreak"]);

function isPlain(tokens: Token[]): boolean {
  return tokens.every((token) => {
    if (token.type === "paragraph_open" || token.type === "paragraph_close") return true;
    if (token.type !== "inline") return false;
    return (token.children ?? []).every((child) => PLAIN_INLINE.has(child.type));
  });
}

/**
 * A body without any of these cannot contain Markdown (emphasis, code, links, autolinks, e-mail
 * addresses, lists, headings, quotes, tables, indented code, entities, escapes): it skips the
 * parser, which costs far more than this test on the plain chatter that most messages are.
 */
const MAY_BE_MARKDOWN = /[*_`~#>[\]|<\\&!]|https?:|mailto:|@\S*\.|^\s*([-+=]|\d+[.)])|^( {4}|\t)/m;

/**
 * The body as HTML, or null when it is plain prose: plain text is shown as it was typed
 * (whitespace and all), so only a body that uses Markdown changes its look.
 */
export function markdownToHtml(body: string): string | null {
  if (!MAY_BE_MARKDOWN.test(body)) return null;
  const tokens = markdown.parse(body, {});
  if (isPlain(tokens)) return null;
  return markdown.renderer.render(tokens, markdown.options, {});
}
