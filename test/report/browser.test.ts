/**
 * The HTML report in a real browser: Debian's Chromium driven by playwright-core. Each report
 * (a small one with every section, a 5 000-event one with hostile names, an empty one) is opened
 * at 390, 768 and 1280 px wide in one browser launch and one reused page.
 *
 * Without /usr/bin/chromium the tests fail under CI=true (CI installs it: see .ci/run) and are
 * skipped locally with a message.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReportBuilder, renderReportHtml } from "../../src/report/index.js";
import { knownEventFile, warningLines } from "../fixtures/report/events.js";
import { hostileEventFile } from "../fixtures/report/generate.js";

const CHROMIUM = "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const WIDTHS = [390, 768, 1280];
const available = existsSync(CHROMIUM);
const inCi = process.env.CI === "true";

if (!available && !inCi) {
  process.stderr.write(`browser tests skipped: ${CHROMIUM} not found (apt-get install -y chromium)\n`);
}

async function reportHtml(parts: [string, string][]): Promise<string> {
  const builder = new ReportBuilder();
  for (const [name, text] of parts) await builder.addLines(text.split("\n"), name);
  return renderReportHtml(builder.finish());
}

interface PageFacts {
  scrollWidth: number;
  clientWidth: number;
  charts: number;
  chartTexts: number;
  minChartTextPx: number | null;
  chartsWithoutTable: string[];
  mains: number;
  tablesWithoutCaption: number;
  headings: string[];
  images: number;
  pwned: unknown;
  scrollingTables: number;
  bodyBackground: string;
  chartTextFill: string | null;
}

/**
 * Read in the page. A string, not a function: the project's type-check has no DOM library, and
 * adding one for this file would let `document` slip into src/ unnoticed.
 */
const FACTS = `(() => {
  const charts = [...document.querySelectorAll("svg.chart")];
  const texts = charts.flatMap((c) => [...c.querySelectorAll("text")]);
  // Rendered size: the computed font size times the scale of the text's coordinate system.
  const sizes = texts.map((t) => parseFloat(getComputedStyle(t).fontSize) * Math.abs(t.getScreenCTM()?.a ?? 1));
  const followed = (svg) => {
    const next = svg.nextElementSibling;
    return next !== null && next.matches(".table-wrap") && next.querySelector(":scope > table > caption") !== null;
  };
  return {
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
    charts: charts.length,
    chartTexts: texts.length,
    minChartTextPx: sizes.length === 0 ? null : Math.min(...sizes),
    chartsWithoutTable: charts.filter((c) => !followed(c)).map((c) => c.getAttribute("aria-label") ?? c.id),
    mains: document.querySelectorAll("main").length,
    tablesWithoutCaption: [...document.querySelectorAll("table")].filter((t) => t.querySelector(":scope > caption") === null).length,
    headings: [...document.querySelectorAll("h1, h2, h3, h4")].map((h) => h.textContent ?? ""),
    images: document.querySelectorAll("img, script, iframe, object, embed").length,
    pwned: globalThis.__pwned ?? null,
    scrollingTables: [...document.querySelectorAll(".table-wrap")].filter((w) => w.scrollWidth > w.clientWidth).length,
    bodyBackground: getComputedStyle(document.body).backgroundColor,
    chartTextFill: texts[0] === undefined ? null : getComputedStyle(texts[0]).fill,
  };
})()`;

function facts(page: Page): Promise<PageFacts> {
  return page.evaluate<PageFacts>(FACTS);
}

describe.runIf(available || inCi)("the HTML report in Chromium", () => {
  let dir: string;
  let context: BrowserContext;
  let page: Page;
  const files = new Map<string, string>();
  const consoleErrors: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    if (!available) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium before the tests`);
    dir = await mkdtemp(join(tmpdir(), "yavio-browser-"));
    const reports: [string, string][] = [
      ["small", await reportHtml([["events.jsonl", knownEventFile()], ["warnings.jsonl", warningLines().join("\n")]])],
      ["hostile", await reportHtml([["hostile.jsonl", hostileEventFile()]])],
      ["empty", await reportHtml([])],
    ];
    for (const [name, html] of reports) {
      const file = join(dir, `${name}.html`);
      await writeFile(file, html);
      files.set(name, pathToFileURL(file).href);
    }
    context = await chromium.launchPersistentContext(join(dir, "profile"), { executablePath: CHROMIUM, args: FLAGS });
    page = await context.newPage();
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => consoleErrors.push(e.message));
    page.on("request", (r) => {
      if (![...files.values()].includes(r.url())) requests.push(r.url());
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  async function open(name: string, width: number, colorScheme: "light" | "dark" = "light"): Promise<PageFacts> {
    await page.emulateMedia({ colorScheme });
    await page.setViewportSize({ width, height: 900 });
    await page.goto(files.get(name)!);
    return facts(page);
  }

  describe.each(["small", "hostile", "empty"])("the %s report", (name) => {
    it.each(WIDTHS)("has no page-level horizontal scroll at %i px", async (width) => {
      const f = await open(name, width);
      expect(f.scrollWidth).toBeLessThanOrEqual(f.clientWidth);
      expect(f.clientWidth).toBe(width);
    });

    it.each(WIDTHS)("keeps chart text at 11 px or more at %i px, each chart followed by its table", async (width) => {
      const f = await open(name, width);
      if (name === "empty") {
        expect(f.charts).toBe(0);
        return;
      }
      expect(f.charts).toBeGreaterThanOrEqual(8);
      expect(f.chartTexts).toBeGreaterThan(0);
      expect(f.minChartTextPx).not.toBeNull();
      expect(f.minChartTextPx!).toBeGreaterThanOrEqual(11);
      expect(f.chartsWithoutTable).toEqual([]);
    });

    it("has one <main>, a caption on every table, no repeated heading, nothing injected", async () => {
      const f = await open(name, 768);
      expect(f.mains).toBe(1);
      expect(f.tablesWithoutCaption).toBe(0);
      expect(new Set(f.headings).size).toBe(f.headings.length);
      expect(f.images).toBe(0);
      expect(f.pwned).toBeNull();
    });
  });

  it("lets wide tables scroll inside their own box on a phone", async () => {
    const f = await open("hostile", 390);
    expect(f.scrollingTables).toBeGreaterThan(0);
    expect(f.scrollWidth).toBeLessThanOrEqual(390);
  });

  it("keeps dark mode", async () => {
    const light = await open("small", 768, "light");
    const dark = await open("small", 768, "dark");
    expect(light.bodyBackground).toBe("rgb(255, 255, 255)");
    expect(dark.bodyBackground).toBe("rgb(20, 23, 29)");
    expect(dark.chartTextFill).toBe("rgb(230, 233, 239)");
  });

  it("tells an empty report apart at a glance", async () => {
    await open("empty", 390);
    expect(await page.locator("main .notice").first().textContent()).toMatch(/^No events found\./);
  });

  // Last, so it covers every page opened above.
  it("logged no console error and made no network request", () => {
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([]);
  });
});
