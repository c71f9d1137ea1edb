import DOMPurify from "dompurify";
import { markdownToHtml } from "./markdown.ts";

/**
 * The last gate before a message's HTML reaches the DOM: whatever the Markdown renderer produced,
 * only these elements and attributes, and only http(s)/mailto links opened without an opener.
 */
const ALLOWED_TAGS = [
  "a",
  "blockquote",
  "br",
  "button",
  "code",
  "del",
  "div",
  "em",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "hr",
  "li",
  "ol",
  "p",
  "pre",
  "s",
  "span",
  "strong",
  "table",
  "tbody",
  "td",
  "th",
  "thead",
  "tr",
  "ul",
];
const ALLOWED_ATTR = ["href", "target", "rel", "class", "type", "start"];
const SAFE_URI = /^(?:https?:|mailto:)/i;

DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  // A code block scrolls sideways, so the keyboard must be able to reach it (WCAG 2.1.1).
  if (node.tagName === "PRE") node.setAttribute("tabindex", "0");
  if (node.tagName !== "A") return;
  if (!SAFE_URI.test(node.getAttribute("href") ?? "")) node.removeAttribute("href");
  node.setAttribute("target", "_blank");
  node.setAttribute("rel", "noopener noreferrer");
});

function sanitize(html: string): string {
  return DOMPurify.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    ALLOWED_URI_REGEXP: SAFE_URI,
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
  });
}

/** Bodies never change once sent: each is rendered once, whatever live events re-render. */
const rendered = new Map<string, string | null>();
const MAX_CACHED = 2000;

/** Safe HTML for a Markdown body, or null for plain text (shown as text). */
export function bodyHtml(body: string): string | null {
  const cached = rendered.get(body);
  if (cached !== undefined) return cached;
  const markup = markdownToHtml(body);
  const safe = markup === null ? null : sanitize(markup);
  if (rendered.size >= MAX_CACHED) rendered.clear();
  rendered.set(body, safe);
  return safe;
}
