// Runs a TypeScript program in Node (codearena.runners.javascript): sucrase strips the types, keeping
// every line where it was (so stack traces point at the program's own lines), into OUTPUT, whose
// extension (.mjs, .cjs or .js) says the module system; then OUTPUT runs as the program.
//   node run_typescript.mjs main.ts main.mjs
import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [source, output] = process.argv.slice(2);
// sucrase comes from the work directory's node_modules (the vendored tree), like the program's imports.
const { transform } = createRequire(resolve("package.json"))("sucrase");
let code;
try {
  code = transform(readFileSync(source, "utf8"), { transforms: ["typescript"], filePath: source }).code;
} catch (error) {
  console.error(`${source}: ${error.message}`);
  process.exit(1);
}
writeFileSync(output, code);
process.argv.splice(1, 3, resolve(output)); // the program sees itself as argv[1]
await import(pathToFileURL(resolve(output)).href);
