// Every view goes through @kitajs/ts-html-plugin's XSS scan: a string rendered without `safe`
// (K601) or similar is an error. Pre-rendered HTML passed between components is named
// `safe…`, which the scanner accepts. Warnings about a `safe` it thinks unneeded are allowed.
import { expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..", "..");

test("views have no XSS-prone rendering (xss-scan)", () => {
  const views = readdirSync(join(root, "views"))
    .filter((f) => f.endsWith(".tsx"))
    .map((f) => join("views", f));
  const run = Bun.spawnSync([join(root, "node_modules", ".bin", "xss-scan"), "--simplified", ...views], { cwd: root, stdout: "pipe", stderr: "pipe" });
  const output = `${run.stdout.toString()}${run.stderr.toString()}`;
  const errors = output.split("\n").filter((line) => / error /.test(line));
  expect(errors).toEqual([]);
  expect(output).not.toContain("Error:");
}, 60_000);
