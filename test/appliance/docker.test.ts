// The Dockerfile, built and run with podman (CI installs it; skipped where it is missing).
// No registry is reachable here, so the base images are stand-ins made from this host's files
// (standin.ts) and the binary is the one `npm run build` makes, taken from the context by the
// Dockerfile's `prebuilt` target: the build stage is skipped and nothing is pulled (--pull=never).
// Checked: the image runs as the non-root user, serves health on 20128 through a published
// port, its HEALTHCHECK passes, the data lands in the /data volume, and `stop` exits 0.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../../package.json";
import { buildStandinTarball, isolatedPodman, type Podman } from "./standin.ts";

const ROOT = join(import.meta.dir, "..", "..");
const hasPodman = Boolean(Bun.which("podman")) && Boolean(Bun.which("ldd")) && Boolean(Bun.which("tar"));

describe.skipIf(!hasPodman)("Dockerfile (podman)", () => {
  const scratch = mkdtempSync(join(tmpdir(), "omniroute-docker-"));
  const suffix = `${process.pid}-${Date.now()}`;
  const STANDIN = `localhost/omniroute-standin:${suffix}`;
  const IMAGE = `localhost/omniroute-test:${suffix}`;
  const CONTAINER = `omniroute-test-${suffix}`;
  let podman: Podman;
  let buildLog = "";
  let base = "";

  beforeAll(async () => {
    // 1. The binary, with package.json's own build command.
    const context = join(scratch, "context");
    mkdirSync(join(context, "dist"), { recursive: true });
    const words = pkg.scripts.build.trim().split(/\s+/);
    words[words.indexOf("--outfile") + 1] = join(context, "dist", "omniroute");
    const build = Bun.spawnSync([process.execPath, ...words.slice(1)], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    if (build.exitCode !== 0) throw new Error(`build failed: ${build.stderr.toString()}`);
    copyFileSync(join(ROOT, "Dockerfile"), join(context, "Dockerfile"));

    // 2. The stand-in base image.
    podman = isolatedPodman(join(scratch, "podman"));
    const tarball = buildStandinTarball(join(scratch, "standin"), [join(context, "dist", "omniroute")]);
    podman.run(["import", tarball, STANDIN]);

    // 3. The image, from the real Dockerfile.
    const built = podman.run([
      "build",
      "--pull=never",
      "--runtime",
      "runc",
      // Docker's image format: the OCI format has no HEALTHCHECK.
      "--format",
      "docker",
      "--target",
      "prebuilt",
      "--build-arg",
      `RUNTIME_IMAGE=${STANDIN}`,
      "--build-arg",
      `BUILD_IMAGE=${STANDIN}`,
      "-t",
      IMAGE,
      context,
    ]);
    buildLog = built.stdout + built.stderr;
  }, 240_000);

  afterAll(() => {
    if (podman) {
      podman.run(["rm", "-f", "-t", "0", CONTAINER], { allowFail: true });
      podman.run(["rmi", "-f", IMAGE, STANDIN], { allowFail: true });
    }
    try {
      rmSync(scratch, { recursive: true, force: true });
    } catch (err) {
      console.error(`could not remove ${scratch}: ${(err as Error).message}`);
    }
  });

  test("builds without pulling anything and without the build stage", () => {
    expect(buildLog).toContain("COMMIT");
    expect(buildLog).not.toContain("npm ci");
    // The runtime stage ran the binary once: it works on the glibc base.
    expect(buildLog).toContain(pkg.version);
  });

  test("the image: non-root user, port 20128, /data volume, a health check", () => {
    const [image] = JSON.parse(podman.run(["image", "inspect", IMAGE]).stdout);
    const config = image.Config;
    expect(config.User).toBe("omniroute");
    expect(Object.keys(config.ExposedPorts)).toEqual(["20128/tcp"]);
    expect(Object.keys(config.Volumes)).toEqual(["/data"]);
    expect(config.Entrypoint).toEqual(["/usr/local/bin/omniroute"]);
    expect(config.StopSignal).toBe("SIGTERM");
    expect(image.Healthcheck.Test.join(" ")).toContain("/api/monitoring/health");
  });

  test("runs: healthy through a published port, HEALTHCHECK passes, data in /data, as uid 10001", async () => {
    const port = 30_000 + Math.floor(Math.random() * 20_000);
    // Requests from the host reach the container from its bridge, not its loopback: the
    // admin-only endpoints want the admin token there.
    const env = ["-e", "ADMIN_TOKEN=tok-docker"];
    let run = podman.run(["run", "-d", "--name", CONTAINER, "--runtime", "runc", ...env, "-p", `127.0.0.1:${port}:20128`, IMAGE], { allowFail: true });
    if (run.code !== 0) {
      // No port forwarding in this sandbox: share the host's network instead (same checks).
      podman.run(["rm", "-f", "-t", "0", CONTAINER], { allowFail: true });
      run = podman.run(["run", "-d", "--name", CONTAINER, "--runtime", "runc", ...env, "--network", "host", "-e", `PORT=${port}`, "-e", "HOST=127.0.0.1", IMAGE]);
    }
    base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 20_000;
    let health: any = null;
    while (Date.now() < deadline) {
      const res = await fetch(`${base}/api/monitoring/health`).catch(() => null);
      if (res?.ok) {
        health = await res.json();
        break;
      }
      await Bun.sleep(100);
    }
    expect(health).toMatchObject({ status: "healthy", version: pkg.version, database: { ok: true, path: "/data/omniroute.sqlite" } });

    expect(podman.run(["healthcheck", "run", CONTAINER], { allowFail: true }).code).toBe(0);
    expect(podman.run(["inspect", "--format", "{{.State.Health.Status}}", CONTAINER]).stdout.trim()).toBe("healthy");
    expect(podman.run(["exec", CONTAINER, "id", "-u"]).stdout.trim()).toBe("10001");
    const files = podman.run(["exec", CONTAINER, "ls", "-A", "/data"]).stdout.split("\n");
    expect(files).toContain("omniroute.sqlite");
    expect(files).toContain("secret.key");
    // A backup through the API lands in the volume too.
    const backup = await fetch(`${base}/api/db-backups`, { method: "PUT", headers: { authorization: "Bearer tok-docker" } });
    expect(backup.status).toBe(200);
    expect(podman.run(["exec", CONTAINER, "ls", "/data/db_backups"]).stdout).toMatch(/db_.+_manual\.sqlite/);
  }, 60_000);

  test("stop: SIGTERM drains and the container exits 0", () => {
    const t0 = performance.now();
    podman.run(["stop", "-t", "15", CONTAINER]);
    expect(performance.now() - t0).toBeLessThan(12_000);
    expect(podman.run(["inspect", "--format", "{{.State.ExitCode}}", CONTAINER]).stdout.trim()).toBe("0");
  }, 30_000);
});
