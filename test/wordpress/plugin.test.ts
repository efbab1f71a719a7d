/**
 * The WordPress plugin's own checks, run as part of `npm test`: `php -l` on every PHP file,
 * the plugin's PHPUnit suite (with fresh cross-language vectors made by the core's code), PHP-
 * signed requests verified by the core, and the widget assets kept identical to the theme
 * extension's. PHP missing is a failure with the command to fix it, never a skip.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { checkRequestSignature } from "../../app/core/tokens/requestSignature.ts";
import { makeVectors } from "./vectors.ts";

const PLUGIN = join(import.meta.dirname, "../../wordpress-plugin/holdfast");
const INSTALL = "apt-get install -y --no-install-recommends php-cli php-xml php-mbstring phpunit (.ci/run does it)";

function requireTool(command: string): void {
  const found = spawnSync(command, ["--version"], { encoding: "utf8" });
  if (found.error || found.status !== 0) throw new Error(`${command} is not installed: ${INSTALL}`);
}

function phpFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? phpFiles(path) : name.endsWith(".php") ? [path] : [];
  });
}

let scratch = "";
beforeAll(() => {
  requireTool("php");
  requireTool("phpunit");
  scratch = mkdtempSync(join(tmpdir(), "holdfast-wp-"));
});
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("wordpress-plugin/holdfast", () => {
  it("every PHP file passes php -l", () => {
    // The plugin, and the WordPress test fixtures (WooCommerce stand-in plugin, router, CLI).
    const files = [...phpFiles(PLUGIN), ...phpFiles(join(import.meta.dirname, "fixtures"))];
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const lint = spawnSync("php", ["-l", file], { encoding: "utf8" });
      expect(lint.status, `${file}: ${lint.stdout}${lint.stderr}`).toBe(0);
    }
  }, 180_000);

  it("the plugin's code keeps to PHP 7.4 syntax, as its header claims", () => {
    expect(readFileSync(join(PLUGIN, "holdfast.php"), "utf8")).toMatch(/Requires PHP:\s+7\.4/);
    // PHP 8.0+ constructs a 8.2 `php -l` accepts but 7.4 refuses.
    const newer: [RegExp, string][] = [
      [/\bmatch\s*\(/, "match expression"],
      [/\?->/, "nullsafe operator"],
      [/function\s+__construct\s*\([^)]*\b(public|private|protected)\s/, "constructor promotion"],
      [/\)\s*:\s*(static|mixed|never)\b/, "static/mixed/never return type"],
      [/[(,]\s*[?]?[A-Za-z\\]+\|[A-Za-z\\|]+\s+\$/, "union type"],
      [/\bstr_(contains|starts_with|ends_with)\s*\(/, "PHP 8 string function"],
      [/^\s*#\[/m, "attribute"],
      [/\benum\s+[A-Z]/, "enum"],
      [/\breadonly\s/, "readonly property"],
    ];
    for (const file of phpFiles(join(PLUGIN, "src")).concat([join(PLUGIN, "holdfast.php"), join(PLUGIN, "uninstall.php")])) {
      const code = readFileSync(file, "utf8");
      for (const [pattern, what] of newer) expect(pattern.test(code), `${file} uses a ${what}`).toBe(false);
    }
  });

  it("PHPUnit passes, verifying tokens and signatures the core made just now", () => {
    const vectors = join(scratch, "vectors.json");
    writeFileSync(vectors, JSON.stringify(makeVectors(Math.floor(Date.now() / 1000))));
    const run = spawnSync("phpunit", ["-c", join(PLUGIN, "phpunit.xml.dist")], { encoding: "utf8", env: { ...process.env, HOLDFAST_VECTORS: vectors } });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/OK \(\d+ tests/);
  }, 120_000);

  it("the committed vectors are what the core makes (regenerate with HOLDFAST_WRITE_VECTORS=1)", () => {
    const committed = join(PLUGIN, "tests/fixtures/vectors.json");
    const fresh = `${JSON.stringify(makeVectors(1_800_000_000), null, 1)}\n`;
    if (process.env.HOLDFAST_WRITE_VECTORS === "1") writeFileSync(committed, fresh);
    expect(readFileSync(committed, "utf8")).toBe(fresh);
  });

  it("a request the plugin signs is verified by the core, and a tampered one is not", () => {
    const secret = "connector-secret-0123456789abcdef";
    const body = JSON.stringify({ user: "admin" });
    const now = Math.floor(Date.now() / 1000);
    const header = execFileSync("php", [join(PLUGIN, "tests/bin/sign-request.php"), secret, "POST", "/v1/connector/console-link", String(now)], {
      input: body,
      encoding: "utf8",
    });
    const request = { method: "POST", target: "/v1/connector/console-link", body };
    expect(checkRequestSignature(secret, header, request, now)).toBeNull();
    expect(checkRequestSignature(secret, header, { ...request, body: `${body} ` }, now)).toBe("signature_invalid");
    expect(checkRequestSignature(`${secret}!`, header, request, now)).toBe("signature_invalid");
    expect(checkRequestSignature(secret, header, request, now + 301)).toBe("signature_expired");
  });

  it("the widget assets are the theme extension's files, not a fork", () => {
    for (const name of ["holdfast-waiting-room.js", "holdfast-waiting-room.css"]) {
      expect(readFileSync(join(PLUGIN, "assets", name), "utf8"), name).toBe(
        readFileSync(join(import.meta.dirname, "../../extensions/waiting-room/assets", name), "utf8"),
      );
    }
  });
});
