// `npm run bench`: the pass-through benchmark (run.ts, issue 2), then the feature targets
// (features.ts, issues 3–8), as `run.ts && features.ts` would — but with the options passed
// on: npm appends `npm run bench -- <options>` to the end of the script's command line, so a
// plain `&&` chain would hand them to the second script only. run.ts gets every option;
// features.ts the ones it shares (--source, --no-write, --quick, --max-wait <s>). For
// features.ts' own options: `npm run bench:features -- <options>`.
import { join } from "node:path";

const args = Bun.argv.slice(2);
const shared: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === "--source" || a === "--no-write" || a === "--quick") shared.push(a);
  else if (a === "--max-wait") shared.push(a, args[++i] ?? "");
}

async function run(script: string, argv: string[]): Promise<number> {
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, script), ...argv], { stdio: ["inherit", "inherit", "inherit"] });
  return await proc.exited;
}

// The children get SIGINT from the terminal themselves and clean up after their own processes.
process.on("SIGINT", () => {});

const first = await run("run.ts", args);
process.exit(first !== 0 ? first : await run("features.ts", shared));
