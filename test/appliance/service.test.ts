// `omniroute service install`: the systemd unit it writes or prints. systemd itself is not
// running here, but `systemd-analyze verify` (when installed) checks the unit as systemd would.
import { afterAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseServiceArgs, renderUnit, type ServiceOptions } from "../../src/cli/service.ts";
import { ConfigError } from "../../src/config.ts";

const MAIN = join(import.meta.dir, "../../src/main.ts");
const scratch = mkdtempSync(join(tmpdir(), "omniroute-service-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, "service", ...args], { encoding: "utf8", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: scratch } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function opts(argv: string[]): ServiceOptions {
  const o = parseServiceArgs(argv);
  if (o === "help") throw new Error("help");
  return o;
}

function directives(unit: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of unit.split("\n")) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) out.set(m[1]!, [...(out.get(m[1]!) ?? []), m[2]!]);
  }
  return out;
}

describe("the unit", () => {
  test("is hardened: dedicated user, StateDirectory, read-only system, no new privileges, restart on failure", () => {
    const d = directives(renderUnit(opts(["install", "--bin", "/usr/local/bin/omniroute"])));
    expect(d.get("ExecStart")).toEqual(["/usr/local/bin/omniroute"]);
    expect(d.get("User")).toEqual(["omniroute"]);
    expect(d.get("DynamicUser")).toEqual(["yes"]);
    expect(d.get("StateDirectory")).toEqual(["omniroute"]);
    expect(d.get("ProtectSystem")).toEqual(["strict"]);
    expect(d.get("ProtectHome")).toEqual(["yes"]);
    expect(d.get("NoNewPrivileges")).toEqual(["yes"]);
    expect(d.get("Restart")).toEqual(["on-failure"]);
    expect(d.get("CapabilityBoundingSet")).toEqual([""]);
    expect(d.get("ExecReload")).toEqual(["/bin/kill -HUP $MAINPID"]);
    expect(d.get("Environment")).toContain('"DATA_DIR=/var/lib/omniroute"');
    // The JIT needs W+X pages: this one must never be switched on.
    expect(d.has("MemoryDenyWriteExecute")).toBe(false);
  });

  test("--user, --data-dir outside /var/lib (a static user and ReadWritePaths), serve options as Environment=", () => {
    const o = opts(["install", "--user", "gw", "--data-dir", "/srv/gw", "--port", "80", "--host=127.0.0.1", "--backup-keep", "3", "--bin", "/usr/bin/true"]);
    const d = directives(renderUnit(o));
    expect(d.get("User")).toEqual(["gw"]);
    expect(d.has("DynamicUser")).toBe(false);
    expect(d.get("ReadWritePaths")).toEqual(["/srv/gw"]);
    expect(d.get("Environment")).toEqual(['"DATA_DIR=/srv/gw"', '"HOME=/srv/gw"', '"PORT=80"', '"HOST=127.0.0.1"', '"BACKUP_KEEP=3"']);
    // Port 80 needs exactly one capability, and gets only that one.
    expect(d.get("AmbientCapabilities")).toEqual(["CAP_NET_BIND_SERVICE"]);
    expect(d.get("CapabilityBoundingSet")).toEqual(["CAP_NET_BIND_SERVICE"]);
  });

  test("refuses secrets on the command line (unit files are world-readable), bad values and unknown options", () => {
    for (const flag of ["--secret-key", "--admin-token", "--initial-password"]) {
      expect(() => parseServiceArgs(["install", flag, "x"])).toThrow(/world-readable/);
    }
    expect(() => parseServiceArgs(["install", "--port", "99999"])).toThrow(ConfigError);
    expect(() => parseServiceArgs(["install", "--bogus"])).toThrow(/unknown option --bogus/);
    expect(() => parseServiceArgs(["install", "--user", "Root Me"])).toThrow(/invalid --user/);
    expect(() => parseServiceArgs(["uninstall"])).toThrow(/only "install"/);
  });

  test("a percent sign survives systemd's specifier expansion", () => {
    const d = directives(renderUnit(opts(["install", "--host", "fe80::1%eth0", "--bin", "/usr/bin/true"])));
    expect(d.get("Environment")).toContain('"HOST=fe80::1%%eth0"');
  });
});

describe("the command", () => {
  test("--print writes the unit to stdout and nothing to disk", () => {
    const r = cli(["install", "--print", "--bin", "/usr/bin/true"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("[Service]");
    expect(r.stdout).toContain("ProtectSystem=strict");
  });

  test("install writes the unit (mode 0644) where --unit-path says, and says what to run next", () => {
    const path = join(scratch, "units", "omniroute.service");
    const r = cli(["install", "--unit-path", path, "--bin", process.execPath, "--port", "8080"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("systemctl daemon-reload && systemctl enable --now omniroute");
    expect(statSync(path).mode & 0o777).toBe(0o644);
    const unit = readFileSync(path, "utf8");
    expect(unit).toContain('Environment="PORT=8080"');
    // A data dir outside /var/lib: the commands that prepare the user are shown, not run
    // (only a real install into /etc/systemd does that).
    const custom = cli(["install", "--unit-path", join(scratch, "u2.service"), "--bin", process.execPath, "--data-dir", join(scratch, "data"), "--user", "omniroute-test-nobody"]);
    expect(custom.code).toBe(0);
    expect(custom.stdout).toContain("useradd --system");
    expect(existsSync(join(scratch, "data"))).toBe(false);
  });

  test("help, and errors exit 2", () => {
    expect(cli(["--help"]).stdout).toContain("omniroute service install");
    const bad = cli(["install", "--secret-key", "s"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("/etc/omniroute/omniroute.env");
  });

  test.skipIf(!Bun.which("systemd-analyze"))("systemd-analyze verify accepts the unit", () => {
    const dir = mkdtempSync(join(scratch, "verify-"));
    const path = join(dir, "omniroute.service");
    expect(cli(["install", "--unit-path", path, "--bin", process.execPath]).code).toBe(0);
    const r = spawnSync("systemd-analyze", ["verify", path], { encoding: "utf8" });
    expect(r.stderr.split("\n").filter((l) => l.includes("omniroute.service"))).toEqual([]);
    expect(r.status).toBe(0);
  });
});
