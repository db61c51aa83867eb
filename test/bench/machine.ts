// What the numbers were measured on: a benchmark result without its machine means little.
import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";

export interface Machine {
  cpu: string;
  cores: number;
  ramGb: number;
  os: string;
  kernel: string;
  bun: string;
  node: string;
  autocannon: string;
  /** The commit measured, and whether the working tree differed from it. */
  revision: string;
}

function readOr(path: string, fallback = ""): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return fallback;
  }
}

function commandOutput(cmd: string[]): string {
  try {
    const r = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "ignore" });
    return r.stdout.toString().trim();
  } catch {
    return "";
  }
}

export function describeMachine(): Machine {
  const cpuinfo = readOr("/proc/cpuinfo");
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? "unknown";
  const osRelease = readOr("/etc/os-release");
  const os = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(osRelease)?.[1] ?? `${process.platform}`;
  const autocannon = (() => {
    try {
      return JSON.parse(readFileSync(new URL("../../node_modules/autocannon/package.json", import.meta.url), "utf8")).version as string;
    } catch {
      return "unknown";
    }
  })();
  // Read-only: --no-optional-locks keeps `git status` from refreshing the index.
  const root = new URL("../..", import.meta.url).pathname;
  const sha = commandOutput(["git", "-C", root, "rev-parse", "--short", "HEAD"]);
  const dirty = commandOutput(["git", "--no-optional-locks", "-C", root, "status", "--porcelain", "--untracked-files=no"]) !== "";
  return {
    revision: sha ? `${sha}${dirty ? " + uncommitted changes" : ""}` : "unknown",
    cpu: model,
    cores: cpus().length,
    ramGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os,
    kernel: commandOutput(["uname", "-r"]) || "unknown",
    bun: Bun.version,
    node: commandOutput(["node", "--version"]) || "not found",
    autocannon,
  };
}

/** `date -u`, as the report asks for it. */
export function utcDate(): string {
  return commandOutput(["date", "-u"]) || new Date().toUTCString();
}
