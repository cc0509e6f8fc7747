// The page in headless Chromium, as an analyst uses it: load the example,
// read the hits, open one, read the guide, filter with KQL, export. It
// also proves the page keeps to itself: every request stays on its own
// origin, and no console error or CSP violation happens.
//
// Screenshots go to pkg-tests/out/ (git-ignored).

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

import { addressOf, serve } from "../scripts/serve.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const OUT = join(ROOT, "pkg-tests", "out");
const TIMEOUT = 30_000;

let server, origin, profile, context, page;
const requests = [];
const problems = [];

before(async () => {
  server = await serve({ port: 0 });
  origin = new URL(addressOf(server)).origin;
  profile = mkdtempSync(join(tmpdir(), "restricted-sender-chromium-"));
  mkdirSync(OUT, { recursive: true });
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
    args: [
      "--headless", "--no-sandbox", "--disable-gpu",
      "--disable-background-networking", "--disable-component-update",
      "--no-first-run",
    ],
  });
  context.on("request", (request) => requests.push(request.url()));
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(TIMEOUT);
  watchForProblems(page);
  await page.goto(origin + "/");
  await page.getByText(/Detector ready/).waitFor();
});

after(async () => {
  await context?.close();
  server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

function watchForProblems(target) {
  target.on("console", (message) => {
    if (message.type() === "error" || /Content.Security.Policy/i.test(
      message.text())) {
      problems.push(`console ${message.type()}: ${message.text()}`);
    }
  });
  target.on("pageerror", (error) => problems.push(`page error: ${error}`));
  target.on("worker", (worker) => {
    worker.on("console", (message) => {
      if (message.type() === "error") {
        problems.push(`worker console: ${message.text()}`);
      }
    });
  });
  target.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ` +
        `${event.blockedURI}`);
    });
  });
}

test("the example gives hits of both verdicts", async () => {
  await page.getByRole("button", { name: "Load the example" }).click();
  await page.locator("#hits tbody tr.hit").first().waitFor();
  assert.ok(await page.locator("#hits .badge.query").count() >= 1);
  assert.ok(await page.locator("#hits .badge.name").count() >= 1);
  const counts = await page.locator("#counts").innerText();
  assert.match(counts, /Records\s+\d+/);
  assert.ok(await page.locator("#users tbody tr").count() >= 1);
  await page.locator("#alert-name-note").waitFor();
  assert.match(await page.locator("#alert-name-note").innerText(),
    /deprecated/);
});

test("a chosen hit shows its clauses, alert, event and record",
  async () => {
  const row = page.locator("#hits tbody tr.hit").first();
  await row.focus();
  await page.keyboard.press("Enter");
  await page.locator("#detail").waitFor();
  assert.equal(await row.getAttribute("aria-current"), "true");
  assert.equal(await focusedId(), "detail-title");
  assert.match(await page.locator("#detail-title").innerText(), /^Hit 1 of/);
  const clauses = page.locator("#detail .clause-table tbody tr");
  assert.ok(await clauses.count() >= 2, "no clauses shown");
  assert.ok(await page.locator("#detail .clause-table tr.fail").count() +
    await page.locator("#detail .clause-table tr.pass").count() >= 2);
  for (const name of ["Normalized event", "Record", "Record as read"]) {
    assert.ok(await page.locator("#detail summary", { hasText: name })
      .count(), `no ${name}`);
  }
  await page.screenshot({ path: join(OUT, "page-1280.png"), fullPage: true });
  await page.locator("aside.rule").screenshot({
    path: join(OUT, "page-1280-rule.png"),
  });
});

test("the rule panel and the investigation guide are shown", async () => {
  const guide = page.locator("#guide");
  await guide.getByText("Possible investigation steps").waitFor();
  assert.ok(await guide.locator("li").count() >= 10);
  const rule = await page.locator("#rule").innerText();
  assert.match(rule, /Risk score\s+47/);
  assert.match(rule, /not applied offline/);
  const mitre = page.locator("#rule a", { hasText: "T1078" });
  assert.equal(await mitre.getAttribute("href"),
    "https://attack.mitre.org/techniques/T1078/");
});

test("a KQL syntax error is shown with its caret", async () => {
  await page.locator("#kql").fill("event.action:(a or b");
  await page.getByRole("button", { name: "Re-read" }).click();
  const box = page.locator("#kql-error");
  await box.waitFor();
  assert.match(await box.innerText(), /offset \d+[\s\S]*\^/);
});

test("the filter re-reads the loaded files with another query", async () => {
  await page.locator("#kql").fill("event.provider:SecurityComplianceCenter");
  await page.getByRole("button", { name: "Re-read" }).click();
  await page.getByText(/with the query `event\.provider/).waitFor();
  assert.ok(await page.locator("#kql-error").isHidden());
  assert.equal(await page.locator("#hits .badge.name").count(), 0);
  await page.locator("#kql").fill("");
  await page.getByRole("button", { name: "Re-read" }).click();
  await page.locator("#hits .badge.name").first().waitFor();
});

test("the filter's help says what an empty box does", async () => {
  const help = await page.locator("#kql-help").innerText();
  assert.match(help, /empty, the rule itself runs/);
  assert.match(help, /--query\s''/);
  assert.equal(await page.locator("#kql-help code", { hasText: "--query" })
    .evaluate((code) => code.getClientRects().length), 1, "--query breaks");
  assert.equal(await page.locator("#kql").getAttribute("aria-describedby"),
    "kql-help");
});

test("a CSV row's record is its AuditData cell, laid out", async () => {
  await page.locator("#hits tbody tr.hit", { hasText: ".csv:" }).first()
    .click();
  const record = page.locator("#detail details.record[open]");
  assert.match(await record.locator("summary").innerText(), /AuditData/);
  const text = await record.locator("pre").innerText();
  assert.ok(text.split("\n").length > 10, "not laid out");
  assert.match(text, /^\{\n {2}"CreationTime": "/);
  assert.equal(JSON.parse(text).RecordType, 40);
  assert.ok(await page.locator("#detail summary", { hasText: "Row as read" })
    .count());
});

test("the CSV export defuses formulas", async () => {
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Export CSV" }).click(),
  ]);
  const text = readFileSync(await download.path(), "utf8");
  const [header, ...rows] = text.trim().split("\r\n");
  assert.equal(header, "timestamp,user,verdict,action,alertId,file,line");
  assert.ok(rows.length >= 1);
  for (const cell of rows.flatMap((row) => row.split(","))) {
    assert.doesNotMatch(cell, /^"?[=+\-@]/, cell);
  }
});

test("pasted records are scanned, and their text never becomes markup",
  async () => {
    const markup = "<img src=x onerror=\"console.error('injected')\">";
    const record = {
      "@timestamp": "2026-11-30T10:00:00.000Z",
      event: {
        dataset: "o365.audit", provider: "SecurityComplianceCenter",
        category: "web", action: "User restricted from sending email",
        outcome: "success",
      },
      user: { email: "nestor.wilke@contoso.com" },
      message: markup,
    };
    await page.locator("#paste-box summary").click();
    await page.locator("#paste").fill(
      JSON.stringify(record) + "\n" +
      JSON.stringify({ ...record, event: { action: markup } }) + "\n");
    await page.getByRole("button", { name: "Scan the pasted text" }).click();
    await page.getByText(/Read 2 records/).waitFor();
    assert.equal(await page.locator("#hits tbody tr.hit").count(), 1);
    await page.locator("#hits tbody tr.hit").first().click();
    await page.locator("#detail summary", { hasText: "Record as read" })
      .click();
    const raw = page.locator("#detail pre.json").last();
    assert.ok((await raw.innerText()).includes("<img src=x onerror="));
    assert.equal(await page.locator("img").count(), 0);
    await page.locator("#paste-box summary").click();
  });

test("with many hits, the list pages and a chosen hit comes into view",
  async () => {
    await pasteRecords(manyHits(1_100));
    await page.getByText(/Read 1,100 records/).waitFor();
    const rows = page.locator("#hits tbody tr.hit");
    assert.equal(await rows.count(), 1_000);
    const more = page.getByRole("button", { name: "Show 100 more" });
    await more.click();
    assert.equal(await rows.count(), 1_100);
    assert.equal(await focusedPosition(), 1_000);
    assert.ok(await page.locator("#hits-more").isHidden());

    await page.keyboard.press("End");
    assert.equal(await focusedPosition(), 1_099);
    await page.keyboard.press("Enter");
    assert.equal(await focusedId(), "detail-title");
    assert.match(await page.locator("#detail-title").innerText(),
      /^Hit 1,100 of 1,100$/);
    assert.ok(await inView("#detail-title"), "the detail is out of view");
    assert.ok(await inList(rows.nth(1_099)), "the row is out of its list");

    await page.getByRole("button", { name: "Previous hit" }).click();
    assert.match(await page.locator("#detail-title").innerText(),
      /^Hit 1,099 of/);
    assert.equal(await rows.nth(1_098).getAttribute("aria-current"), "true");
    assert.ok(await inList(rows.nth(1_098)), "the row is out of its list");
    await page.keyboard.press("Escape");
    assert.equal(await focusedPosition(), 1_098);
    assert.ok(await inView("#hits tbody tr.hit[aria-current]"));

    await page.keyboard.press("Home");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "Previous hit" }).focus();
    await page.keyboard.press("Enter");
    assert.match(await page.locator("#detail-title").innerText(),
      /^Hit 1 of/);
    assert.ok(await page.getByRole("button", { name: "Previous hit" })
      .isDisabled());
    assert.equal(await focusedId(), "next-hit");
    await page.locator("#paste-box summary").click();
  });

test("a large dropped file shows progress and can be cancelled", async () => {
  const before = await page.locator("#counts").innerText();
  // Drops a file of about 200 MB, made inside the page so that the test
  // does not ship it over the wire.
  await page.evaluate(() => {
    const line = JSON.stringify({
      "@timestamp": "2026-11-30T10:00:00.000Z",
      event: { action: "MailItemsAccessed", provider: "Exchange" },
      message: "x".repeat(400),
    }) + "\n";
    const parts = new Array(Math.ceil(200e6 / line.length)).fill(line);
    const transfer = new DataTransfer();
    transfer.items.add(new File(parts, "large.ndjson"));
    for (const type of ["dragenter", "dragover", "drop"]) {
      window.dispatchEvent(new DragEvent(type, {
        dataTransfer: transfer, bubbles: true, cancelable: true,
      }));
    }
  });
  await page.locator("#progress-text", { hasText: /Reading… [1-9]/ })
    .waitFor();
  await page.getByRole("button", { name: "Cancel" }).click();
  await page.getByText(/Scan cancelled/).waitFor();
  assert.ok(await page.locator("#progress").isHidden());
  await page.waitForTimeout(500);
  assert.equal(await page.locator("#counts").innerText(), before);
  await page.getByRole("button", { name: "Load the example" }).click();
  await page.locator("#hits .badge.name").first().waitFor();
});

test("the page fits a window 360 px wide", async () => {
  await page.setViewportSize({ width: 360, height: 800 });
  await page.locator("#hits tbody tr.hit", { hasText: ".csv:" }).first()
    .click();
  await page.locator("#detail details.record[open]").waitFor();
  await page.screenshot({ path: join(OUT, "page-360.png"), fullPage: true });
  await page.locator("#hits-section").screenshot({
    path: join(OUT, "page-360-hits.png"),
  });
  assert.deepEqual(await sidewaysScrolls(), []);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: join(OUT, "page-1280-csv-hit.png"),
    fullPage: true });
});

test("no table scrolls sideways where the rule panel narrows the results",
  async () => {
    await page.setViewportSize({ width: 1000, height: 900 });
    assert.deepEqual(await sidewaysScrolls(), []);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

test("a message that quotes one long word wraps inside its box", async () => {
  const id = "x".repeat(400);
  const record = (operation) => JSON.stringify({
    Id: id, CreationTime: "2026-11-30T10:00:00", Operation: operation,
    RecordType: 1, Workload: "Exchange",
  });
  await pasteRecords(record("Set-Mailbox") + "\n" + record("New-InboxRule") + "\n");
  await page.getByText(/was seen before with other content/).waitFor();
  assert.deepEqual(await sidewaysScrolls(), []);
});

test("no request left the page's origin", () => {
  const outside = requests.filter((url) =>
    !url.startsWith(origin + "/") && !url.startsWith("blob:" + origin) &&
    !url.startsWith("data:"));
  assert.deepEqual(outside, []);
  assert.ok(requests.some((url) => url.endsWith(".wasm")), "no wasm loaded");
});

test("no console error and no CSP violation", () => {
  assert.deepEqual(problems, []);
});

async function pasteRecords(text) {
  const box = page.locator("#paste-box");
  if ((await box.getAttribute("open")) === null) {
    await box.locator("summary").click();
  }
  await page.locator("#paste").fill(text);
  await page.getByRole("button", { name: "Scan the pasted text" }).click();
}

/** `count` records that are hits, a minute apart, as NDJSON. */
function manyHits(count) {
  const start = Date.parse("2026-11-30T00:00:00Z");
  return Array.from({ length: count }, (_, i) => JSON.stringify({
    "@timestamp": new Date(start + i * 60_000).toISOString(),
    event: {
      dataset: "o365.audit", provider: "SecurityComplianceCenter",
      category: "web", action: "User restricted from sending email",
      outcome: "success",
    },
    user: { email: `user${i}@contoso.com` },
  })).join("\n") + "\n";
}

function focusedId() {
  return page.evaluate(() => document.activeElement?.id ?? "");
}

/** The position of the focused hit row, or -1. */
function focusedPosition() {
  return page.evaluate(() => {
    const row = document.activeElement?.closest?.("tr.hit");
    return row ? Number(row.dataset.position) : -1;
  });
}

/** Whether the element's top is within the window. */
function inView(selector) {
  return page.locator(selector).first().evaluate((node) => {
    const box = node.getBoundingClientRect();
    return box.top >= 0 && box.top < innerHeight;
  });
}

/** Whether a hit row shows inside the list's scrolling box. */
function inList(row) {
  return row.evaluate((node) => {
    const list = node.closest(".hits-wrap").getBoundingClientRect();
    const box = node.getBoundingClientRect();
    return box.top >= list.top && box.bottom <= list.bottom + 1;
  });
}

/** The page, and each box on it, whose content is too wide for it. */
function sidewaysScrolls() {
  return page.evaluate(() => {
    const wide = (node) => node.scrollWidth > node.clientWidth;
    const boxes = [...document.querySelectorAll(
      "section, aside, .table-wrap, pre")]
      .filter((box) => box.offsetParent !== null && wide(box))
      .map((box) => box.id || box.className || box.localName);
    const page = document.documentElement;
    return page.scrollWidth > innerWidth ? ["page", ...boxes] : boxes;
  });
}
