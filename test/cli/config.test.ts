// parseCli: flags beat environment variables, which beat defaults; mistakes are reported
// with the name of the flag (and its env var) so an operator knows what to fix.
import { describe, expect, test } from "bun:test";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { ConfigError, helpText, OPTIONS, parseCli, VERSION, type Config } from "../../src/config.ts";
import pkg from "../../package.json";

function configOf(argv: string[], env: Record<string, string | undefined> = {}): Config {
  const cmd = parseCli(argv, env);
  if (cmd.kind !== "serve") throw new Error(`expected a serve command, got ${cmd.kind}`);
  return cmd.config;
}

function errorOf(argv: string[], env: Record<string, string | undefined> = {}): string {
  try {
    parseCli(argv, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`parseCli(${JSON.stringify(argv)}) did not throw`);
}

describe("defaults", () => {
  test("no flags and no env give the documented defaults", () => {
    expect(configOf([])).toEqual({
      port: 20128,
      host: "0.0.0.0",
      dataDir: join(homedir(), ".omniroute"),
      usageFlushMs: 1000,
      upstreamTimeoutMs: 600_000,
      logLevel: "info",
      backupIntervalHours: 24,
      backupKeep: 10,
      backupMaxAgeDays: 30,
      backupImportMaxMb: 64,
    });
  });

  test("requireApiKey and secretKey are unset by default (the stored setting / key file decide)", () => {
    const config = configOf([]);
    expect(config.requireApiKey).toBeUndefined();
    expect(config.secretKey).toBeUndefined();
  });
});

describe("precedence", () => {
  test("env beats defaults", () => {
    const config = configOf([], { PORT: "3000", HOST: "127.0.0.1", LOG_LEVEL: "debug", USAGE_FLUSH_MS: "250" });
    expect(config.port).toBe(3000);
    expect(config.host).toBe("127.0.0.1");
    expect(config.logLevel).toBe("debug");
    expect(config.usageFlushMs).toBe(250);
  });

  test("flags beat env", () => {
    const config = configOf(["--port", "4000", "--host", "::1"], { PORT: "3000", HOST: "127.0.0.1" });
    expect(config.port).toBe(4000);
    expect(config.host).toBe("::1");
  });

  test("an empty env var counts as unset", () => {
    expect(configOf([], { PORT: "" }).port).toBe(20128);
  });

  test("every option is reachable by its flag and by its env var", () => {
    const values: Record<string, [string, unknown]> = {
      port: ["1234", 1234],
      host: ["127.0.0.1", "127.0.0.1"],
      dataDir: ["/tmp/omniroute-cli-test", "/tmp/omniroute-cli-test"],
      requireApiKey: ["true", true],
      secretKey: ["s3cret", "s3cret"],
      usageFlushMs: ["50", 50],
      upstreamTimeoutMs: ["5000", 5000],
      logLevel: ["error", "error"],
      adminToken: ["adm-token", "adm-token"],
      initialPassword: ["first-pass", "first-pass"],
      backupIntervalHours: ["0.5", 0.5],
      backupKeep: ["3", 3],
      backupMaxAgeDays: ["0", 0],
      backupImportMaxMb: ["16", 16],
    };
    for (const opt of OPTIONS) {
      const [raw, expected] = values[opt.key]!;
      expect(configOf([opt.flag, raw])[opt.key]).toEqual(expected as never);
      expect(configOf([], { [opt.env]: raw })[opt.key]).toEqual(expected as never);
    }
    expect(Object.keys(values).sort()).toEqual(OPTIONS.map((o) => o.key).sort());
  });
});

describe("flag syntax", () => {
  test("--flag=value form", () => {
    const config = configOf(["--port=5000", "--data-dir=/tmp/x=y", "--log-level=silent"]);
    expect(config.port).toBe(5000);
    // Only the first "=" separates flag and value.
    expect(config.dataDir).toBe("/tmp/x=y");
    expect(config.logLevel).toBe("silent");
  });

  test("a relative --data-dir is made absolute against the working directory", () => {
    expect(configOf(["--data-dir", "data"]).dataDir).toBe(resolve("data"));
  });

  test("a flag without its value is an error", () => {
    expect(errorOf(["--port"])).toContain("--port needs a value");
  });

  test("an unknown option is an error that names it", () => {
    expect(errorOf(["--nope"])).toBe("unknown option --nope (see --help)");
    expect(errorOf(["--port", "1", "stray"])).toContain("unknown option stray");
  });

  test("--help / -h and --version / -v win over everything after them", () => {
    expect(parseCli(["--help", "--nope"], {})).toEqual({ kind: "help" });
    expect(parseCli(["-h"], {})).toEqual({ kind: "help" });
    expect(parseCli(["--version"], {})).toEqual({ kind: "version" });
    expect(parseCli(["-v"], { PORT: "nonsense" })).toEqual({ kind: "version" });
  });
});

describe("validation", () => {
  test("an invalid port is rejected with a message naming the flag and the env var", () => {
    for (const bad of ["abc", "65536", "-1", "1.5"]) {
      const message = errorOf(["--port", bad]);
      expect(message).toContain("--port");
      expect(message).toContain("PORT");
    }
  });

  test("an invalid port from the environment names it too", () => {
    expect(errorOf([], { PORT: "http" })).toStartWith("invalid --port / PORT:");
  });

  test("an invalid log level is rejected", () => {
    expect(errorOf(["--log-level", "verbose"])).toStartWith("invalid --log-level / LOG_LEVEL:");
  });

  test("an upstream timeout under one second is rejected", () => {
    expect(errorOf(["--upstream-timeout-ms", "10"])).toContain("--upstream-timeout-ms");
  });
});

describe("--require-api-key", () => {
  test("without a value means true", () => {
    expect(configOf(["--require-api-key"]).requireApiKey).toBe(true);
  });

  test("without a value, followed by another flag, still means true", () => {
    const config = configOf(["--require-api-key", "--port", "7000"]);
    expect(config.requireApiKey).toBe(true);
    expect(config.port).toBe(7000);
  });

  test("takes an explicit value, either form", () => {
    expect(configOf(["--require-api-key", "false"]).requireApiKey).toBe(false);
    expect(configOf(["--require-api-key=false"]).requireApiKey).toBe(false);
    expect(configOf(["--require-api-key=1"]).requireApiKey).toBe(true);
  });

  test("REQUIRE_API_KEY=false → false, REQUIRE_API_KEY=true → true", () => {
    expect(configOf([], { REQUIRE_API_KEY: "false" }).requireApiKey).toBe(false);
    expect(configOf([], { REQUIRE_API_KEY: "true" }).requireApiKey).toBe(true);
    expect(configOf([], { REQUIRE_API_KEY: "0" }).requireApiKey).toBe(false);
    expect(configOf([], { REQUIRE_API_KEY: " YES " }).requireApiKey).toBe(true);
  });

  test("the flag beats REQUIRE_API_KEY", () => {
    expect(configOf(["--require-api-key"], { REQUIRE_API_KEY: "false" }).requireApiKey).toBe(true);
  });

  test("a value that is not a boolean is rejected, never read as false", () => {
    expect(errorOf([], { REQUIRE_API_KEY: "ture" })).toStartWith("invalid --require-api-key / REQUIRE_API_KEY:");
    expect(errorOf(["--require-api-key", "maybe"])).toContain("--require-api-key");
  });
});

describe("help and version", () => {
  test("VERSION is package.json's version", () => {
    expect(VERSION).toBe(pkg.version);
  });

  test("README.md and docs/configuration.md document every option, flag and env var", async () => {
    for (const doc of ["README.md", "docs/configuration.md"]) {
      const text = await Bun.file(join(import.meta.dir, "..", "..", doc)).text();
      for (const opt of OPTIONS) {
        expect(text, `${doc} lacks ${opt.flag}`).toContain(`| \`${opt.flag}\` | \`${opt.env}\` |`);
      }
    }
  });

  test("--help lists every option with its env var", () => {
    const text = helpText();
    for (const opt of OPTIONS) {
      expect(text).toContain(opt.flag);
      expect(text).toContain(`[env ${opt.env}]`);
    }
    expect(text).toContain("--help");
    expect(text).toContain("--version");
  });
});
