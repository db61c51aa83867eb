// `omniroute service install`: a hardened systemd unit for running OmniRoute on a home server.
//
//   omniroute service install [--print] [--user NAME] [--data-dir DIR] [--bin PATH]
//                             [--unit-path PATH] [any serve option, e.g. --port 8080]
//
// The service runs as its own unprivileged user. With the default data dir (under /var/lib)
// that user is systemd's DynamicUser with a StateDirectory — nothing to create on the host;
// with a data dir elsewhere it is a static system user, created on install (as root). Serve
// options become Environment= lines; secrets (the secret key, the admin token, the initial
// password) are refused there because unit files are world-readable: they go in the optional
// EnvironmentFile (/etc/omniroute/omniroute.env, mode 0600) instead.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { ConfigError, OPTIONS, parseCli, VERSION } from "../config.ts";

export const ENV_FILE = "/etc/omniroute/omniroute.env";
const SECRET_OPTIONS = new Set(["secretKey", "adminToken", "initialPassword"]);

export interface ServiceOptions {
  print: boolean;
  user: string;
  dataDir: string;
  bin: string;
  unitPath: string;
  /** Serve options as environment variables for the unit (name → value). */
  env: [string, string][];
}

export const SERVICE_HELP = `Usage: omniroute service install [--print] [--user NAME] [--data-dir DIR] [--bin PATH] [--unit-path PATH] [options]

Writes a hardened systemd unit (or prints it with --print) that runs OmniRoute as a dedicated
user, restarts it on failure, reloads it on \`systemctl reload\` (SIGHUP) and drains requests on stop.

  --print            print the unit on stdout instead of writing it
  --user NAME        the service's user (default omniroute)
  --data-dir DIR     where the database lives (default /var/lib/omniroute, a StateDirectory)
  --bin PATH         the omniroute binary the unit starts (default: this binary)
  --unit-path PATH   where to write the unit (default /etc/systemd/system/omniroute.service)
  options            any server option (see omniroute --help) is written as Environment=;
                     secrets are refused: put them in ${ENV_FILE} (mode 0600)

Then: systemctl daemon-reload && systemctl enable --now omniroute`;

/** Whether this process is a compiled binary (its entry lives in Bun's embedded filesystem). */
function compiled(): boolean {
  return Bun.main.startsWith("/$bunfs/") || Bun.main.startsWith("B:/~BUN/");
}

export function parseServiceArgs(argv: string[]): ServiceOptions | "help" {
  if (argv.length === 0 || argv.includes("--help") || argv.includes("-h")) return "help";
  if (argv[0] !== "install") throw new ConfigError(`unknown service command "${argv[0]}" (only "install")`);
  const opts: ServiceOptions = {
    print: false,
    user: "omniroute",
    dataDir: "/var/lib/omniroute",
    bin: compiled() ? process.execPath : `${process.execPath} ${Bun.main}`,
    unitPath: "/etc/systemd/system/omniroute.service",
    env: [],
  };
  const serveArgs: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "") throw new ConfigError(`option ${flag} needs a value`);
      return v;
    };
    if (flag === "--print") opts.print = true;
    else if (flag === "--user") opts.user = value();
    else if (flag === "--data-dir") opts.dataDir = value();
    else if (flag === "--bin") opts.bin = value();
    else if (flag === "--unit-path") opts.unitPath = value();
    else {
      const opt = OPTIONS.find((o) => o.flag === flag);
      if (!opt) throw new ConfigError(`unknown option ${arg} (see omniroute service --help)`);
      if (SECRET_OPTIONS.has(opt.key)) throw new ConfigError(`${flag} is a secret and unit files are world-readable: put ${opt.env}=… in ${ENV_FILE} (mode 0600) instead`);
      serveArgs.push(arg);
      if (inline === undefined && !(opt.key === "requireApiKey" && (argv[i + 1] === undefined || argv[i + 1]!.startsWith("--")))) serveArgs.push(value());
    }
  }
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(opts.user)) throw new ConfigError(`invalid --user "${opts.user}" (a system user name: lower case letters, digits, _ and -)`);
  if (!isAbsolute(opts.dataDir)) opts.dataDir = resolve(opts.dataDir);
  // The same validation the server applies, so a bad value fails now and not at boot.
  const parsed = parseCli(serveArgs, {});
  if (parsed.kind !== "serve") throw new ConfigError("--help and --version are not server options");
  for (const arg of serveArgs) {
    const flag = arg.includes("=") ? arg.slice(0, arg.indexOf("=")) : arg;
    const opt = OPTIONS.find((o) => o.flag === flag);
    if (opt) opts.env.push([opt.env, String(parsed.config[opt.key])]);
  }
  return opts;
}

/** systemd's quoting for one Environment= assignment ("%" is a specifier there). */
function envLine(name: string, value: string): string {
  return `Environment="${name}=${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/%/g, "%%")}"`;
}

/** The data dir is a StateDirectory when it sits directly under /var/lib. */
function stateDirectoryOf(dataDir: string): string | null {
  const m = /^\/var\/lib\/([A-Za-z0-9._-]+)$/.exec(dataDir.replace(/\/+$/, ""));
  return m ? m[1]! : null;
}

export function renderUnit(opts: ServiceOptions): string {
  const state = stateDirectoryOf(opts.dataDir);
  const port = Number(opts.env.find(([k]) => k === "PORT")?.[1] ?? 20128);
  const lines = [
    `# ${opts.unitPath} — written by \`omniroute service install\` (OmniRoute ${VERSION}).`,
    "[Unit]",
    "Description=OmniRoute AI gateway",
    "After=network-online.target",
    "Wants=network-online.target",
    "",
    "[Service]",
    "Type=simple",
    `ExecStart=${opts.bin}`,
    // SIGHUP re-reads the configuration stored in the database.
    "ExecReload=/bin/kill -HUP $MAINPID",
    "Restart=on-failure",
    "RestartSec=2s",
    // SIGTERM lets in-flight requests (streams) finish for up to 10 s before the process exits.
    "TimeoutStopSec=20s",
    "",
    `User=${opts.user}`,
    `Group=${opts.user}`,
    ...(state
      ? ["DynamicUser=yes", `StateDirectory=${state}`, "StateDirectoryMode=0700"]
      : [`# A static system user owns ${opts.dataDir} (install creates both).`, `ReadWritePaths=${opts.dataDir}`]),
    envLine("DATA_DIR", opts.dataDir),
    envLine("HOME", opts.dataDir),
    ...opts.env.filter(([k]) => k !== "DATA_DIR").map(([k, v]) => envLine(k, v)),
    `# Secrets (OMNIROUTE_SECRET_KEY, ADMIN_TOKEN, INITIAL_PASSWORD) go here, mode 0600:`,
    `EnvironmentFile=-${ENV_FILE}`,
    "UMask=0077",
    "",
    "# Hardening: the process can write only its data dir, never gains privileges.",
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "ProtectKernelTunables=yes",
    "ProtectKernelModules=yes",
    "ProtectKernelLogs=yes",
    "ProtectControlGroups=yes",
    "ProtectClock=yes",
    "ProtectHostname=yes",
    "ProtectProc=invisible",
    "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK",
    "RestrictNamespaces=yes",
    "RestrictRealtime=yes",
    "RestrictSUIDSGID=yes",
    "LockPersonality=yes",
    "RemoveIPC=yes",
    "SystemCallArchitectures=native",
    "SystemCallFilter=@system-service",
    "SystemCallErrorNumber=EPERM",
    port < 1024 ? "CapabilityBoundingSet=CAP_NET_BIND_SERVICE" : "CapabilityBoundingSet=",
    port < 1024 ? "AmbientCapabilities=CAP_NET_BIND_SERVICE" : "AmbientCapabilities=",
    "# Bun's JavaScript JIT needs writable+executable memory: MemoryDenyWriteExecute must stay off.",
    "LimitNOFILE=65536",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ];
  return lines.join("\n");
}

function run(cmd: string[]): void {
  const r = spawnSync(cmd[0]!, cmd.slice(1), { stdio: "inherit" });
  if (r.status !== 0) throw new Error(`${cmd.join(" ")} failed (exit ${r.status ?? r.signal})`);
}

/** What the host needs before a static-user unit starts: the user, and its data dir. */
export function setupCommands(opts: ServiceOptions): string[][] {
  if (stateDirectoryOf(opts.dataDir)) return [];
  const cmds: string[][] = [];
  if (spawnSync("id", ["-u", opts.user]).status !== 0) {
    cmds.push(["useradd", "--system", "--user-group", "--home-dir", opts.dataDir, "--no-create-home", "--shell", "/usr/sbin/nologin", opts.user]);
  }
  cmds.push(["install", "-d", "-m", "0700", "-o", opts.user, "-g", opts.user, opts.dataDir]);
  return cmds;
}

export function runServiceCommand(argv: string[], _env: Record<string, string | undefined>): number {
  let opts;
  try {
    opts = parseServiceArgs(argv);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`omniroute: ${err.message}`);
    return 2;
  }
  if (opts === "help") {
    console.log(SERVICE_HELP);
    return 0;
  }
  const unit = renderUnit(opts);
  const setup = setupCommands(opts);
  if (opts.print) {
    if (setup.length > 0) process.stdout.write(`# Before starting, as root:\n${setup.map((c) => `#   ${c.join(" ")}`).join("\n")}\n`);
    process.stdout.write(unit);
    return 0;
  }
  try {
    if (!opts.bin.startsWith("/") || (!existsSync(opts.bin.split(" ")[0]!))) throw new Error(`--bin ${opts.bin} is not an absolute path to an existing file`);
    if (/^\/(home|root|run\/user)\//.test(opts.bin)) {
      console.error(`omniroute: warning: ${opts.bin} is under a home folder, which ProtectHome=yes hides from the service; install the binary in /usr/local/bin and pass --bin`);
    }
    mkdirSync(dirname(opts.unitPath), { recursive: true });
    writeFileSync(opts.unitPath, unit, { mode: 0o644 });
    // Only for a real install (as root, into systemd's folder) does it touch users and folders.
    const real = process.getuid?.() === 0 && opts.unitPath.startsWith("/etc/systemd/");
    if (real) for (const cmd of setup) run(cmd);
    else if (setup.length > 0) console.log(`Before starting, as root:\n${setup.map((c) => `  ${c.join(" ")}`).join("\n")}`);
  } catch (err) {
    console.error(`omniroute: service install failed: ${(err as Error).message}`);
    return 1;
  }
  console.log(`Wrote ${opts.unitPath}. Start it with:\n  systemctl daemon-reload && systemctl enable --now ${unitName(opts.unitPath)}`);
  return 0;
}

function unitName(path: string): string {
  return path.split("/").pop()!.replace(/\.service$/, "");
}
