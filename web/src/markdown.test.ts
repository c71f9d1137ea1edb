import { describe, expect, it } from "bun:test";
import { markdownToHtml } from "./markdown.ts";

describe("markdownToHtml", () => {
  it("leaves plain prose to be shown as typed", () => {
    expect(markdownToHtml("Please review PR #42\nsecond line")).toBeNull();
    expect(markdownToHtml("first paragraph\n\n  second, indented")).toBeNull();
    expect(markdownToHtml("<b>bold?</b> <script>alert(1)</script>")).toBeNull();
    expect(markdownToHtml("deploy to example.com at 5, then call Bob")).toBeNull();
    expect(markdownToHtml("see www.example.com")).toBeNull();
    expect(markdownToHtml("mail ops@example.com")).toBe(
      '<p>mail <a href="mailto:ops@example.com" target="_blank" rel="noopener noreferrer">ops@example.com</a></p>\n',
    );
    expect(markdownToHtml("text\n\n    indented code")).toBe(
      "<p>text</p>\n<pre><code>indented code\n</code></pre>\n",
    );
  });

  it("renders GFM: emphasis, lists, tables, strikethrough and hard line breaks", () => {
    expect(markdownToHtml("**done**, ~~not~~ *yet*\nnext")).toBe(
      "<p><strong>done</strong>, <s>not</s> <em>yet</em><br>\nnext</p>\n",
    );
    expect(markdownToHtml("- one\n- two")).toBe("<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n");
    expect(markdownToHtml("| a | b |\n|---|---|\n| 1 | 2 |")).toContain("<td>1</td>");
  });

  it("keeps raw HTML as text and links only http(s) and mailto, opened without an opener", () => {
    expect(markdownToHtml("*x* <img src=x onerror=alert(1)>")).toBe(
      "<p><em>x</em> &lt;img src=x onerror=alert(1)&gt;</p>\n",
    );
    expect(markdownToHtml("[site](https://example.com) and [bad](javascript:alert(1))")).toBe(
      '<p><a href="https://example.com" target="_blank" rel="noopener noreferrer">site</a> and [bad](javascript:alert(1))</p>\n',
    );
    expect(markdownToHtml("[mail](mailto:a@example.com) [data](data:text/html,x)")).toBe(
      '<p><a href="mailto:a@example.com" target="_blank" rel="noopener noreferrer">mail</a> [data](data:text/html,x)</p>\n',
    );
    expect(markdownToHtml("![pixel](https://example.com/p.png)")).toBe(
      '<p>!<a href="https://example.com/p.png" target="_blank" rel="noopener noreferrer">pixel</a></p>\n',
    );
  });

  it("puts fenced code in a copyable block, coloured for a known language and escaped otherwise", () => {
    expect(markdownToHtml("```ts\nconst a = 1;\n```")).toBe(
      '<div class="code-block"><span class="code-language">ts</span><button type="button" class="copy-code">Copy</button><pre><code class="hljs"><span class="hljs-keyword">const</span> a = <span class="hljs-number">1</span>;\n</code></pre></div>',
    );
    expect(markdownToHtml('```made-up" onclick="x\n<b>&</b>\n```')).toBe(
      '<div class="code-block"><button type="button" class="copy-code">Copy</button><pre><code class="hljs">&#60;b&#62;&#38;&#60;/b&#62;\n</code></pre></div>',
    );
  });
});
