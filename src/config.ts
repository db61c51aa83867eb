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
