// Tests of the extension's pure logic with node's test runner, on real files (no faked editor).
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";

import {
  DOCUMENT_SELECTOR,
  Environment,
  SCHEMA_FILES,
  SERVER_KEYS,
  jsonValidationContributions,
  needsRestart,
  resolveServerCommand,
  schemaForFile,
  toServerSettings,
  which,
} from "../src/logic";

// out/test/logic.test.js -> the extension folder
const EXT_DIR = path.resolve(__dirname, "..", "..");
const pkg = JSON.parse(fs.readFileSync(path.join(EXT_DIR, "package.json"), "utf8"));

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "iam-lsp-ext-"));
}

function makeExecutable(dir: string, name: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, "#!/bin/sh\nexit 0\n");
  fs.chmodSync(file, 0o755);
  return file;
}

function env(pathVar: string, extra: Partial<Environment> = {}): Environment {
  return { pathVar, platform: "linux", ...extra };
}

test("iam-lsp on PATH is started with `serve`", () => {
  const empty = tempDir();
  const bin = tempDir();
  const exe = makeExecutable(bin, "iam-lsp");
  const r = resolveServerCommand({}, env(`${empty}:${bin}`));
  assert.equal(r.ok, true);
  assert.deepEqual(r.command, { command: exe, args: ["serve"], origin: "PATH" });
});

test("a non-executable file on PATH is skipped", () => {
  const bin = tempDir();
  fs.writeFileSync(path.join(bin, "iam-lsp"), "not executable");
  fs.chmodSync(path.join(bin, "iam-lsp"), 0o644);
  assert.equal(which("iam-lsp", env(bin)), undefined);
});

test("missing server gives the install hint", () => {
  const r = resolveServerCommand({}, env(tempDir()));
  assert.equal(r.ok, false);
  assert.match(r.error ?? "", /not found on PATH/);
  assert.match(r.error ?? "", /pip install iam-lsp/);
  assert.match(r.error ?? "", /iamLsp\.server\.path/);
});

test("server.path wins over pythonPath and PATH, with ~ and ${workspaceFolder} expanded", () => {
  const home = tempDir();
  const exe = makeExecutable(home, "my-iam-lsp");
  const bin = tempDir();
  makeExecutable(bin, "iam-lsp");
  const r = resolveServerCommand({ path: "~/my-iam-lsp", pythonPath: "/usr/bin/python3", args: ["--tcp"] },
    env(bin, { home }));
  assert.deepEqual(r.command, { command: exe, args: ["serve", "--tcp"], origin: "server.path" });

  const ws = resolveServerCommand({ path: "${workspaceFolder}/my-iam-lsp" }, env("", { workspaceFolder: home }));
  assert.equal(ws.command?.command, exe);
});

test("server.path pointing nowhere is an error naming the setting", () => {
  const r = resolveServerCommand({ path: "/nonexistent/iam-lsp" }, env(""));
  assert.equal(r.ok, false);
  assert.match(r.error ?? "", /iamLsp\.server\.path is set to "\/nonexistent\/iam-lsp"/);
});

test("pythonPath runs the module, found by name on PATH or by file path", () => {
  const bin = tempDir();
  const py = makeExecutable(bin, "python3");
  const byName = resolveServerCommand({ pythonPath: "python3" }, env(bin));
  assert.deepEqual(byName.command, { command: py, args: ["-m", "iam_lsp", "serve"], origin: "server.pythonPath" });
  const byPath = resolveServerCommand({ pythonPath: py }, env(""));
  assert.equal(byPath.command?.command, py);
  const missing = resolveServerCommand({ pythonPath: "/no/python" }, env(bin));
  assert.equal(missing.ok, false);
  assert.match(missing.error ?? "", /pythonPath/);
});

test("Windows lookup uses PATHEXT and ;", () => {
  const bin = tempDir();
  const exe = makeExecutable(bin, "iam-lsp.EXE");
  assert.equal(which("iam-lsp", env(`C:\\nowhere;${bin}`, { platform: "win32", pathExt: ".COM;.EXE" })), exe);
});

test("server settings: client-only keys dropped, bad values dropped, good values kept", () => {
  const out = toServerSettings({
    server: { path: "/x" },
    trace: { server: "verbose" },
    select: ["IAM4", " ", 7],
    enable: [],
    disable: ["trust-wildcard-principal"],
    severity: { IAM410: "Error", IAM100: "fatal" },
    policyTypes: { "**/trust/*.json": "trust", "x.json": "nope" },
    include: ["policies/**/*.json"],
    exclude: "not-a-list",
    maxSize: 5000.7,
    options: { IAM410: { "trusted-accounts": ["111122223333"] } },
    securitySeverity: "error",
    suggestionSeverity: "loud",
  });
  assert.deepEqual(out, {
    select: ["IAM4"],
    disable: ["trust-wildcard-principal"],
    severity: { IAM410: "error" },
    policyTypes: { "**/trust/*.json": "trust" },
    include: ["policies/**/*.json"],
    maxSize: 5000,
    options: { IAM410: { "trusted-accounts": ["111122223333"] } },
    securitySeverity: "error",
  });
  assert.deepEqual(toServerSettings(undefined), {});
});

test("every server setting is declared in package.json under iamLsp, with a description", () => {
  const props = pkg.contributes.configuration.properties as Record<string, { description?: string; markdownDescription?: string }>;
  for (const key of SERVER_KEYS) {
    const p = props[`iamLsp.${key}`];
    assert.ok(p, `iamLsp.${key} missing from package.json`);
    assert.ok((p.description ?? p.markdownDescription ?? "").length > 20, `iamLsp.${key} lacks a description`);
  }
  for (const key of Object.keys(props)) {
    assert.ok(key.startsWith("iamLsp."), key);
    const rest = key.slice("iamLsp.".length);
    assert.ok((SERVER_KEYS as readonly string[]).includes(rest) || /^(server|trace)\./.test(rest), `unexpected ${key}`);
  }
  // Defaults from package.json survive the cleaning step (enums match what toServerSettings accepts).
  const defaults = Object.fromEntries(
    SERVER_KEYS.map((k) => [k, (props[`iamLsp.${k}`] as { default?: unknown }).default]));
  const cleaned = toServerSettings(defaults);
  assert.equal(cleaned.securitySeverity, "warning");
  assert.equal(cleaned.suggestionSeverity, "information");
});

test("only server.* settings need a restart", () => {
  assert.equal(needsRestart((k) => "iamLsp.server.path".startsWith(k)), true);
  assert.equal(needsRestart((k) => k === "iamLsp"), false);
});

test("json and jsonc documents are selected, on disk and untitled", () => {
  const langs = new Set(DOCUMENT_SELECTOR.map((d) => `${d.scheme}:${d.language}`));
  assert.deepEqual(langs, new Set(["file:json", "file:jsonc", "untitled:json", "untitled:jsonc"]));
  assert.deepEqual(pkg.activationEvents, ["onLanguage:json", "onLanguage:jsonc"]);
});

test("package.json jsonValidation matches the logic module", () => {
  assert.deepEqual(pkg.contributes.jsonValidation, jsonValidationContributions());
  for (const c of pkg.contributes.jsonValidation as Array<{ url: string }>) {
    assert.match(c.url, /^\.\/schemas\/[a-z-]+\.json$/);
  }
});

test("schema association by file name", () => {
  assert.equal(schemaForFile("/repo/roles/ci.trust.json"), "trust-policy.json");
  assert.equal(schemaForFile("deploy-trust-policy.json"), "trust-policy.json");
  assert.equal(schemaForFile("C:\\repo\\trust-policy.json"), "trust-policy.json");
  assert.equal(schemaForFile("app.iam.json"), "identity-policy.json");
  assert.equal(schemaForFile("org/deny-regions.scp.json"), "scp.json");
  assert.equal(schemaForFile("logs-bucket-policy.json"), "resource-policy.json");
  assert.equal(schemaForFile("dev.boundary.json"), "permissions-boundary.json");
  assert.equal(schemaForFile("package.json"), undefined);
  assert.equal(schemaForFile("trust.json"), undefined);
});

test("every associated schema exists in the repository's schemas/ and refs stay local", () => {
  const repoSchemas = path.resolve(EXT_DIR, "..", "..", "schemas");
  for (const f of SCHEMA_FILES) {
    const file = path.join(repoSchemas, f);
    assert.ok(fs.existsSync(file), `schemas/${f} missing: copy-schemas would package a dangling jsonValidation url`);
    const schema = JSON.parse(fs.readFileSync(file, "utf8"));
    assert.equal(typeof schema, "object");
    // Relative $refs only: the .vsix must not need files outside the extension or the network.
    const refs = JSON.stringify(schema).match(/"\$ref":"[^"]*"/g) ?? [];
    for (const r of refs) {
      assert.doesNotMatch(r, /"\$ref":"https?:/, `${f}: ${r}`);
      const target = r.slice('"$ref":"'.length, -1).split("#")[0];
      if (target) {
        assert.ok(SCHEMA_FILES.includes(path.basename(target)), `${f} refers to ${target}, which is not shipped`);
      }
    }
  }
});

test("logic module does not depend on vscode", () => {
  const compiled = fs.readFileSync(path.join(EXT_DIR, "out", "src", "logic.js"), "utf8");
  assert.doesNotMatch(compiled, /require\("vscode/);
});
