// Pure logic of the extension: no `vscode` import, so it runs under `node --test`.
import * as fs from "node:fs";
import * as path from "node:path";

/** The configuration section shared by the extension and the server. */
export const SECTION = "iamLsp";

/** Settings that only the extension reads; they are not sent to the server. */
export const CLIENT_ONLY_KEYS = ["server", "trace"] as const;

/** Every key the server understands under `iamLsp` (camelCase, as the server expects). */
export const SERVER_KEYS = [
  "select",
  "enable",
  "disable",
  "severity",
  "policyTypes",
  "include",
  "exclude",
  "maxSize",
  "options",
  "securitySeverity",
  "suggestionSeverity",
] as const;

export type ServerKey = (typeof SERVER_KEYS)[number];

export const INSTALL_HINT = "Install it with `pip install iam-lsp` (in the environment your editor sees), " +
  "or set `iamLsp.server.path` to the `iam-lsp` executable or `iamLsp.server.pythonPath` to a Python that has it.";

/** Documents handed to the server: every json/jsonc file; the server decides which are IAM policies. */
export const DOCUMENT_SELECTOR = [
  { scheme: "file", language: "json" },
  { scheme: "file", language: "jsonc" },
  { scheme: "untitled", language: "json" },
  { scheme: "untitled", language: "jsonc" },
];

export interface ServerLaunchSettings {
  path?: string;
  pythonPath?: string;
  args?: string[];
}

export interface ServerCommand {
  command: string;
  args: string[];
  /** Where the command came from, for the output channel and error messages. */
  origin: "server.path" | "server.pythonPath" | "PATH";
}

export interface Resolution {
  ok: boolean;
  command?: ServerCommand;
  /** Human-readable reason when `ok` is false. */
  error?: string;
}

export interface Environment {
  /** The PATH variable to search. */
  pathVar: string;
  platform: NodeJS.Platform;
  /** PATHEXT on Windows. */
  pathExt?: string;
  /** Expands `~` and `${workspaceFolder}`; defaults to no expansion. */
  workspaceFolder?: string;
  home?: string;
}

function isExecutable(file: string): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) {
      return false;
    }
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Expand `~` and `${workspaceFolder}` the way users write them in settings. */
export function expandPath(value: string, env: Environment): string {
  let v = value.trim();
  if (env.workspaceFolder !== undefined) {
    v = v.split("${workspaceFolder}").join(env.workspaceFolder);
  }
  if (env.home && (v === "~" || v.startsWith("~/"))) {
    v = path.join(env.home, v.slice(1));
  }
  return v;
}

/** Find an executable by name on PATH (with PATHEXT on Windows). */
export function which(name: string, env: Environment): string | undefined {
  const sep = env.platform === "win32" ? ";" : ":";
  const exts = env.platform === "win32" ? (env.pathExt ?? ".EXE;.CMD;.BAT").split(";") : [""];
  for (const dir of env.pathVar.split(sep)) {
    if (!dir) {
      continue;
    }
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (isExecutable(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

/** A bare name ("python3") is looked up on PATH; anything with a separator is a file path. */
function locate(value: string, env: Environment): string | undefined {
  const hasSep = value.includes("/") || (env.platform === "win32" && value.includes("\\"));
  if (!hasSep) {
    return which(value, env);
  }
  return isExecutable(value) ? value : undefined;
}

/**
 * Settings -> the command that starts the server.
 * Precedence: `server.path`, then `server.pythonPath` (`python -m iam_lsp serve`), then `iam-lsp` on PATH.
 */
export function resolveServerCommand(settings: ServerLaunchSettings, env: Environment): Resolution {
  const extra = (settings.args ?? []).filter((a) => typeof a === "string" && a.length > 0);
  const exe = settings.path ? expandPath(settings.path, env) : "";
  if (exe) {
    const found = locate(exe, env);
    if (!found) {
      return { ok: false, error: `iamLsp.server.path is set to "${settings.path}", but no executable is there. ${INSTALL_HINT}` };
    }
    return { ok: true, command: { command: found, args: ["serve", ...extra], origin: "server.path" } };
  }
  const py = settings.pythonPath ? expandPath(settings.pythonPath, env) : "";
  if (py) {
    const found = locate(py, env);
    if (!found) {
      return { ok: false, error: `iamLsp.server.pythonPath is set to "${settings.pythonPath}", but no executable is there.` };
    }
    return { ok: true, command: { command: found, args: ["-m", "iam_lsp", "serve", ...extra], origin: "server.pythonPath" } };
  }
  const onPath = which("iam-lsp", env);
  if (!onPath) {
    return { ok: false, error: `The iam-lsp language server was not found on PATH. ${INSTALL_HINT}` };
  }
  return { ok: true, command: { command: onPath, args: ["serve", ...extra], origin: "PATH" } };
}

const SEVERITIES = new Set(["error", "security", "warning", "suggestion"]);
const POLICY_TYPES = new Set(["identity", "trust", "resource", "scp", "rcp", "boundary"]);

function stringList(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) {
    return undefined;
  }
  const out = v.filter((x): x is string => typeof x === "string" && x.trim().length > 0).map((x) => x.trim());
  return out.length ? out : undefined;
}

function enumMap(v: unknown, allowed: Set<string>): Record<string, string> | undefined {
  if (!v || typeof v !== "object" || Array.isArray(v)) {
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (typeof val === "string" && allowed.has(val.toLowerCase())) {
      out[k] = val.toLowerCase();
    }
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * The `iamLsp` section as read from the editor -> the settings object sent to the server.
 * Drops client-only keys (`server`, `trace`), empty values and values of the wrong type, so the
 * server never sees editor plumbing or half-typed settings.
 */
export function toServerSettings(section: Record<string, unknown> | undefined | null): Record<string, unknown> {
  const s = section ?? {};
  const out: Record<string, unknown> = {};
  for (const key of ["select", "enable", "disable", "include", "exclude"] as const) {
    const list = stringList(s[key]);
    if (list) {
      out[key] = list;
    }
  }
  const severity = enumMap(s.severity, SEVERITIES);
  if (severity) {
    out.severity = severity;
  }
  const policyTypes = enumMap(s.policyTypes, POLICY_TYPES);
  if (policyTypes) {
    out.policyTypes = policyTypes;
  }
  if (typeof s.maxSize === "number" && Number.isFinite(s.maxSize) && s.maxSize > 0) {
    out.maxSize = Math.floor(s.maxSize);
  }
  if (s.options && typeof s.options === "object" && !Array.isArray(s.options) && Object.keys(s.options).length) {
    out.options = s.options;
  }
  if (s.securitySeverity === "warning" || s.securitySeverity === "error") {
    out.securitySeverity = s.securitySeverity;
  }
  if (s.suggestionSeverity === "information" || s.suggestionSeverity === "hint") {
    out.suggestionSeverity = s.suggestionSeverity;
  }
  return out;
}

/** Changing these settings needs a new server process; the rest is pushed to the running server. */
export function needsRestart(affects: (key: string) => boolean): boolean {
  return affects(`${SECTION}.server`);
}

/** JSON Schema associations contributed to VS Code's JSON support (`contributes.jsonValidation`). */
export const SCHEMA_ASSOCIATIONS: ReadonlyArray<{ fileMatch: string[]; schema: string }> = [
  { fileMatch: ["*.trust.json", "*-trust-policy.json", "trust-policy.json"], schema: "trust-policy.json" },
  { fileMatch: ["*.iam.json", "*.identity.json", "*-identity-policy.json"], schema: "identity-policy.json" },
  { fileMatch: ["*.boundary.json", "*-permissions-boundary.json"], schema: "permissions-boundary.json" },
  { fileMatch: ["*.scp.json", "*-scp.json"], schema: "scp.json" },
  { fileMatch: ["*.rcp.json", "*-rcp.json"], schema: "rcp.json" },
  { fileMatch: ["*.resource-policy.json", "*-resource-policy.json", "*-bucket-policy.json"], schema: "resource-policy.json" },
];

/** Every schema file the extension ships: the per-type schemas plus the shared `$defs` they reference. */
export const SCHEMA_FILES = ["policy-common.json", ...SCHEMA_ASSOCIATIONS.map((a) => a.schema)];

/** The `contributes.jsonValidation` entries package.json must carry. */
export function jsonValidationContributions(): Array<{ fileMatch: string[]; url: string }> {
  return SCHEMA_ASSOCIATIONS.map((a) => ({ fileMatch: [...a.fileMatch], url: `./schemas/${a.schema}` }));
}

/** Glob (only `*` and `?`, as used in fileMatch) -> RegExp over a file's base name. */
function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]");
  return new RegExp(`^${body}$`, "i");
}

/** Which bundled schema VS Code validates `fileName` against, if any (first association wins). */
export function schemaForFile(fileName: string): string | undefined {
  const base = path.basename(fileName.replace(/\\/g, "/"));
  for (const a of SCHEMA_ASSOCIATIONS) {
    if (a.fileMatch.some((g) => globToRegExp(g).test(base))) {
      return a.schema;
    }
  }
  return undefined;
}
