import AxeBuilder from "@axe-core/playwright";
import type { Page } from "playwright-core";

/** Serious and critical axe findings, as "rule: target: summary" lines (empty when clean). */
export async function seriousViolations(target: Page): Promise<string[]> {
  // The page at rest: no row under a pointer left there by an earlier click.
  await target.mouse.move(0, 0);
  const results = await new AxeBuilder({ page: target }).analyze();
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .flatMap((violation) =>
      violation.nodes.map((node) => `${violation.id}: ${node.target.join(" ")}: ${node.failureSummary}`),
    );
}
