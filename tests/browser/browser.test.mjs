// offlabel's web page in a real browser: Debian's headless Chromium driven by playwright-core.
//
//   OFFLABEL_BIN=target/release/offlabel node tests/browser/browser.test.mjs
//
// Starts `offlabel serve` on a free loopback port, then: types a question in the search
// box, checks the status badges and the evidence table, opens a citation's source page,
// submits the patient-check form and checks the dose-adjustment flag, checks labels,
// landmarks, keyboard focus and the phone layout, and that the page works without
// JavaScript. Saves screenshots/answer.png. Prints "N passed, M failed" last and exits
// non-zero on any failure.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, mkdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");
const bin = resolve(process.env.OFFLABEL_BIN || process.argv[2] || join(root, "target/release/offlabel"));
const chromiumPath = process.env.CHROMIUM_BIN || "/usr/bin/chromium";
const QUESTION = "Can I use Opzelura cream for psoriasis?";
const STEP_TIMEOUT_MS = 20000;

let passed = 0;
let failed = 0;
const cleanups = [];

function log(...args) {
  console.log(...args);
}

async function step(name, fn) {
  const started = Date.now();
  let timer;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS);
      }),
    ]);
    passed += 1;
    log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    failed += 1;
    log(`FAIL ${name}: ${e && e.message ? e.message.split("\n")[0] : e}`);
  } finally {
    clearTimeout(timer);
  }
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

/** Starts the server on 127.0.0.1:0 and resolves with its base URL, read from the ready log line. */
function startServer() {
  return new Promise((resolveStart, rejectStart) => {
    const child = spawn(bin, ["serve", "--addr", "127.0.0.1:0"], {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, RUST_LOG: "info" },
    });
    let stderr = "";
    const timer = setTimeout(() => rejectStart(new Error(`server not ready in 10 s: ${stderr}`)), 10000);
    child.on("error", (e) => {
      clearTimeout(timer);
      rejectStart(e);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      rejectStart(new Error(`server exited early with ${code}: ${stderr}`));
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk.toString();
      const m = /ready: (http:\/\/127\.0\.0\.1:\d+)\//.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolveStart({ child, base: m[1], logs: () => stderr });
      }
    });
  });
}

function stopServer(child) {
  return new Promise((resolveStop) => {
    if (child.exitCode !== null) return resolveStop(child.exitCode);
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolveStop("killed");
    }, 5000);
    child.removeAllListeners("exit");
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolveStop(code === null ? signal : code);
    });
    child.kill("SIGTERM");
  });
}

function chromiumArgs() {
  return [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ];
}

/** A browser with a fresh profile (its own --user-data-dir), removed at the end. */
async function launch(options = {}) {
  const profile = mkdtempSync(join(tmpdir(), "offlabel-chromium-"));
  cleanups.push(() => rmSync(profile, { recursive: true, force: true }));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs(),
    viewport: { width: 1100, height: 1000 },
    ...options,
  });
  cleanups.push(() => context.close().catch(() => {}));
  return context;
}

async function main() {
  if (!existsSync(bin)) {
    log(`FAIL setup: no offlabel binary at ${bin}; build it with cargo build --release, or set OFFLABEL_BIN`);
    failed += 1;
    return;
  }
  if (!existsSync(chromiumPath)) {
    log(`FAIL setup: no Chromium at ${chromiumPath}; apt-get install -y chromium`);
    failed += 1;
    return;
  }
  const server = await startServer();
  log(`server at ${server.base}`);
  const pageErrors = [];
  let context;
  let page;
  try {
    context = await launch();
    page = context.pages()[0] || (await context.newPage());
    page.setDefaultTimeout(10000);
    page.on("pageerror", (e) => pageErrors.push(e.message));

    await step("home page: labelled search box with suggestions", async () => {
      await page.goto(server.base + "/");
      const box = page.getByLabel("Ask about a medicine, a condition or a patient");
      await box.waitFor();
      const list = await box.getAttribute("list");
      const options = await page.locator(`datalist#${list} option`).count();
      expect(options > 10, `datalist has ${options} options`);
      await box.pressSequentially("Can I use Opz", { delay: 10 });
      const suggested = await page.locator(`datalist#${list} option`).evaluateAll((os) => os.map((o) => o.value));
      expect(suggested.includes("Can I use Opzelura"), `suggestions: ${suggested.slice(0, 5).join(" | ")}`);
    });

    await step("type the question and submit: answer page", async () => {
      const box = page.getByLabel("Ask about a medicine, a condition or a patient");
      await box.fill("");
      await box.pressSequentially(QUESTION, { delay: 5 });
      await Promise.all([page.waitForURL(/\/ask\?q=/), page.getByRole("button", { name: "Ask" }).click()]);
      await page.getByRole("heading", { level: 1 }).waitFor();
      const h1 = await page.getByRole("heading", { level: 1 }).textContent();
      expect(/ruxolitinib cream for psoriasis/i.test(h1), `h1 is "${h1}"`);
    });

    await step("status badges: US off-label, EU off-label", async () => {
      for (const j of ["US", "EU"]) {
        const badge = page.locator(`.badge[data-jurisdiction="${j}"]`).first();
        await badge.waitFor();
        const status = await badge.getAttribute("data-status");
        const text = (await badge.textContent()).replace(/\s+/g, " ").trim();
        expect(status === "off_label", `${j} status is ${status}`);
        expect(/Off-label/.test(text), `${j} badge reads "${text}"`);
      }
    });

    await step("evidence table: strongest first, with design, n, dose, outcome, adverse events, source", async () => {
      const table = page.locator("table.evidence");
      await table.waitFor();
      const headers = (await table.locator("thead th").allTextContents()).map((t) => t.trim());
      for (const h of ["Design", "Patients", "Dose", "Outcome", "Adverse events", "Source"]) {
        expect(headers.includes(h), `missing column ${h} in ${headers.join(", ")}`);
      }
      const rows = table.locator("tbody tr");
      const n = await rows.count();
      expect(n >= 2, `${n} rows`);
      const first = (await rows.nth(0).locator("th").textContent()).trim();
      expect(first === "Randomised controlled trial", `first row is "${first}"`);
      const size = (await rows.nth(0).locator("td").nth(0).textContent()).trim();
      expect(size === "29", `first row n is "${size}"`);
    });

    await step("screenshot of the answer page", async () => {
      const dir = join(here, "screenshots");
      mkdirSync(dir, { recursive: true });
      await page.setViewportSize({ width: 1000, height: 1250 });
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(dir, "answer.png"), fullPage: false });
      await page.setViewportSize({ width: 1100, height: 1000 });
    });

    await step("a citation opens its source record", async () => {
      const link = page.locator("table.evidence a.cite").first();
      const href = await link.getAttribute("href");
      expect(href && href.startsWith("/sources/"), `citation href ${href}`);
      await Promise.all([page.waitForURL(/\/sources\//), link.click()]);
      const h1 = (await page.getByRole("heading", { level: 1 }).textContent()).trim();
      expect(h1.length > 5, "source page has no title");
      const id = decodeURIComponent(href.slice("/sources/".length));
      const shown = (await page.locator("dl.facts code").first().textContent()).trim();
      expect(shown === id, `source page shows id ${shown}, link was ${id}`);
      await page.goBack();
      await page.locator("table.evidence").waitFor();
    });

    await step("patient-check form: baricitinib, age 80 gives a dose-adjustment flag", async () => {
      await Promise.all([page.waitForURL(/\/check$/), page.getByRole("link", { name: "Patient check" }).click()]);
      await page.getByLabel("Medicine", { exact: true }).selectOption({ label: "Baricitinib" });
      await page.getByLabel("Age in years").fill("80");
      await page.getByLabel("Current or long-term former smoker").check();
      await Promise.all([
        page.waitForLoadState("load"),
        page.getByRole("button", { name: "Check this patient" }).click(),
      ]);
      const flag = page.locator('ul.flags [data-level="dose_adjustment"]').first();
      await flag.waitFor();
      const item = (await page.locator('ul.flags li[data-flag="age_75_plus"]').textContent()).replace(/\s+/g, " ");
      expect(/Dose adjustment/.test(item) && /2 mg/.test(item), `flag reads "${item.trim()}"`);
      expect((await page.getByLabel("Age in years").inputValue()) === "80", "the form lost the age");
    });

    await step("every form control has a label; landmarks and language are set", async () => {
      const report = await page.evaluate(() => {
        const unlabelled = [...document.querySelectorAll("input, select, textarea")]
          .filter((el) => el.type !== "hidden" && el.type !== "submit")
          .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label"))
          .map((el) => el.name || el.id);
        const landmarks = ["header", "nav", "main", "footer"].filter((t) => !document.querySelector(t));
        return { unlabelled, landmarks, lang: document.documentElement.lang, disclaimer: document.querySelector("footer .disclaimer")?.textContent || "" };
      });
      expect(report.unlabelled.length === 0, `unlabelled: ${report.unlabelled.join(", ")}`);
      expect(report.landmarks.length === 0, `missing landmarks: ${report.landmarks.join(", ")}`);
      expect(report.lang === "en", `lang="${report.lang}"`);
      expect(/does not replace/.test(report.disclaimer), "disclaimer missing");
    });

    await step("keyboard: skip link first, visible focus ring", async () => {
      await page.goto(server.base + "/");
      await page.keyboard.press("Tab");
      const first = await page.evaluate(() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        return { text: el.textContent.trim(), outline: style.outlineStyle, width: parseFloat(style.outlineWidth) };
      });
      expect(first.text === "Skip to content", `first focus is "${first.text}"`);
      expect(first.outline !== "none" && first.width >= 2, `focus outline ${first.outline} ${first.width}px`);
      await page.keyboard.press("Enter");
      const focused = await page.evaluate(() => document.activeElement.id);
      expect(focused === "main", `skip link moved focus to "${focused}"`);
    });

    await step("phone: no sideways scrolling on the answer and condition pages", async () => {
      await page.setViewportSize({ width: 375, height: 800 });
      for (const path of ["/ask?q=" + encodeURIComponent(QUESTION), "/conditions/alopecia-areata", "/drugs/baricitinib"]) {
        await page.goto(server.base + path);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow <= 1, `${path} overflows by ${overflow}px`);
      }
      const chart = await page.goto(server.base + "/conditions/alopecia-areata").then(() => page.locator("figure.chart svg[role=img]").count());
      expect(chart === 1, "condition page has no chart");
      await page.setViewportSize({ width: 1100, height: 1000 });
    });

    await step("no script errors on any page", async () => {
      expect(pageErrors.length === 0, pageErrors.join("; "));
    });

    await step("works without JavaScript: search, answer, badges", async () => {
      const noJs = await launch({ javaScriptEnabled: false });
      const p = noJs.pages()[0] || (await noJs.newPage());
      await p.goto(server.base + "/");
      await p.getByLabel("Ask about a medicine, a condition or a patient").fill(QUESTION);
      await Promise.all([p.waitForURL(/\/ask\?q=/), p.getByRole("button", { name: "Ask" }).click()]);
      const status = await p.locator('.badge[data-jurisdiction="US"]').first().getAttribute("data-status");
      expect(status === "off_label", `US status ${status}`);
      await noJs.close();
    });
  } finally {
    if (context) await context.close().catch(() => {});
    await step("server stops gracefully on SIGTERM", async () => {
      const code = await stopServer(server.child);
      expect(code === 0, `exit ${code}`);
      expect(/stopped/.test(server.logs()), "no 'stopped' log line");
      expect(!server.logs().includes(QUESTION), "the question text reached the logs");
    });
  }
}

try {
  await main();
} catch (e) {
  failed += 1;
  log(`FAIL run: ${e && e.stack ? e.stack : e}`);
} finally {
  for (const c of cleanups.reverse()) {
    try {
      await c();
    } catch {
      // best effort
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
}
