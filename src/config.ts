// Process configuration: command-line flags win over environment variables, which win over defaults.
// Runtime settings an operator changes from the dashboard live in the database (src/settings.ts).
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { z } from "zod";
import pkg from "../package.json";

export const VERSION: string = pkg.version;

const TRUE_WORDS = ["1", "true", "yes", "on"];
const FALSE_WORDS = ["0", "false", "no", "off"];

// Anything else is an error, not `false`: REQUIRE_API_KEY=ture must not silently turn key
// checks off (a false here overrides a stored requireApiKey=true).
const boolish = z.union([z.boolean(), z.string()]).transform((v, ctx) => {
  if (typeof v === "boolean") return v;
  const word = v.trim().toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  ctx.issues.push({ code: "custom", input: v, message: `expected true or false (or 1/0, yes/no, on/off), got "${v}"` });
  return z.NEVER;
});

export const ConfigSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(20128),
  host: z.string().min(1).default("0.0.0.0"),
  dataDir: z.string().min(1).default(join(homedir(), ".omniroute")),
  requireApiKey: boolish.optional(),
  secretKey: z.string().min(1).optional(),
  usageFlushMs: z.coerce.number().int().min(10).max(60_000).default(1000),
  upstreamTimeoutMs: z.coerce.number().int().min(1000).default(600_000),
  logLevel: z.enum(["silent", "error", "info", "debug"]).default("info"),
  /** Bearer token that opens the control plane to scripts when dashboard login is enforced. */
  adminToken: z.string().min(1).optional(),
  /** Dashboard password stored (hashed) on a first start that has none yet. */
  initialPassword: z.string().min(1).optional(),
  /** Automatic backups of the database (src/backup): every this many hours, 0 = off. */
  backupIntervalHours: z.coerce.number().min(0).max(8760).default(24),
  backupKeep: z.coerce.number().int().min(1).max(10_000).default(10),
  backupMaxAgeDays: z.coerce.number().min(0).default(30),
  backupImportMaxMb: z.coerce.number().min(1).default(64),
});

export type Config = z.infer<typeof ConfigSchema>;

/** Each option: its flag, its environment variable and what it does (drives --help). */
export const OPTIONS = [
  { key: "port", flag: "--port", env: "PORT", help: "port to listen on (default 20128)" },
  { key: "host", flag: "--host", env: "HOST", help: "address to bind (default 0.0.0.0)" },
  { key: "dataDir", flag: "--data-dir", env: "DATA_DIR", help: "folder for the database and secret key (default ~/.omniroute)" },
  { key: "requireApiKey", flag: "--require-api-key", env: "REQUIRE_API_KEY", help: "demand a gateway API key on /v1/* (overrides the setting)" },
  { key: "secretKey", flag: "--secret-key", env: "OMNIROUTE_SECRET_KEY", help: "key that encrypts provider credentials (default: <data-dir>/secret.key)" },
  { key: "usageFlushMs", flag: "--usage-flush-ms", env: "USAGE_FLUSH_MS", help: "how often queued usage rows are written (default 1000)" },
  { key: "upstreamTimeoutMs", flag: "--upstream-timeout-ms", env: "UPSTREAM_TIMEOUT_MS", help: "give up on an upstream that has not answered after this long; a flowing stream is never cut (default 600000)" },
  { key: "logLevel", flag: "--log-level", env: "LOG_LEVEL", help: "silent | error | info | debug (default info)" },
  { key: "adminToken", flag: "--admin-token", env: "ADMIN_TOKEN", help: "Bearer token for /api/* when dashboard login is on (for scripts)" },
  { key: "initialPassword", flag: "--initial-password", env: "INITIAL_PASSWORD", help: "dashboard password set on first start if none is stored (prefer the env var: flags show in ps)" },
  { key: "backupIntervalHours", flag: "--backup-interval-hours", env: "BACKUP_INTERVAL_HOURS", help: "automatic database backup every this many hours, 0 = off (default 24)" },
  { key: "backupKeep", flag: "--backup-keep", env: "BACKUP_KEEP", help: "keep at most this many backups in <data-dir>/db_backups (default 10)" },
  { key: "backupMaxAgeDays", flag: "--backup-max-age-days", env: "BACKUP_MAX_AGE_DAYS", help: "delete backups older than this, the newest excepted; 0 = no age limit (default 30)" },
  { key: "backupImportMaxMb", flag: "--backup-import-max-mb", env: "BACKUP_IMPORT_MAX_MB", help: "largest database POST /api/db-backups/import accepts, in MiB (default 64)" },
] as const satisfies readonly { key: keyof Config; flag: string; env: string; help: string }[];

export type CliCommand = { kind: "serve"; config: Config } | { kind: "help" } | { kind: "version" };

export class ConfigError extends Error {}

export function parseCli(argv: string[], env: Record<string, string | undefined>): CliCommand {
  const raw: Record<string, unknown> = {};
  for (const opt of OPTIONS) if (env[opt.env] !== undefined && env[opt.env] !== "") raw[opt.key] = env[opt.env];

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") return { kind: "help" };
    if (arg === "--version" || arg === "-v") return { kind: "version" };
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const opt = OPTIONS.find((o) => o.flag === flag);
    if (!opt) throw new ConfigError(`unknown option ${arg} (see --help)`);
    if (opt.key === "requireApiKey" && inline === undefined && (argv[i + 1] === undefined || argv[i + 1]!.startsWith("--"))) {
      raw[opt.key] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(`option ${flag} needs a value`);
    raw[opt.key] = value;
  }

  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const opt = OPTIONS.find((o) => o.key === issue.path[0]);
    throw new ConfigError(`invalid ${opt ? `${opt.flag} / ${opt.env}` : String(issue.path[0])}: ${issue.message}`);
  }
  return { kind: "serve", config: { ...parsed.data, dataDir: resolve(parsed.data.dataDir) } };
}

export function helpText(): string {
  const width = Math.max(...OPTIONS.map((o) => `${o.flag} <value>`.length));
  const lines = OPTIONS.map((o) => `  ${`${o.flag} <value>`.padEnd(width)}  ${o.help} [env ${o.env}]`);
  return [
    `omniroute ${VERSION} — one-binary AI gateway`,
    "",
    "Usage: omniroute [options]",
    "       omniroute service install [--print] [--user NAME] [--data-dir DIR] [options]",
    "                 write (or print) a hardened systemd unit; see `omniroute service --help`",
    "",
    "Options:",
    ...lines,
    `  ${"--help".padEnd(width)}  show this help`,
    `  ${"--version".padEnd(width)}  print the version`,
    "",
    "Gateway: http://<host>:<port>/v1   Control plane: http://<host>:<port>/api",
  ].join("\n");
}

/** A complete config for tests and embedding, with the defaults filled in. */
export function makeConfig(overrides: Partial<Config> = {}): Config {
  return { ...ConfigSchema.parse({}), ...overrides };
}
