// Copy the repository's JSON Schemas into the extension: a .vsix cannot reference files outside its folder.
// Tolerates their absence (the build still works; VS Code then just has no schema for those files).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const source = path.resolve(here, "..", "..", "..", "schemas");
const target = path.resolve(here, "..", "schemas");

fs.rmSync(target, { recursive: true, force: true });
fs.mkdirSync(target, { recursive: true });
let files = [];
try {
  files = fs.readdirSync(source).filter((f) => f.endsWith(".json"));
} catch {
  console.warn(`copy-schemas: ${source} not found; packaging without schemas`);
}
for (const f of files) {
  fs.copyFileSync(path.join(source, f), path.join(target, f));
}
console.log(`copy-schemas: ${files.length} schema file(s) copied to ${target}`);
