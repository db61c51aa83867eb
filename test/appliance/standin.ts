// Container images for testing the Dockerfile where no registry can be reached: a "stand-in"
// base image made from this host's own files (bash, coreutils, useradd and the shared
// libraries they and the compiled binary need, found with ldd), imported with `podman import`.
// The host is Debian like the real base (debian:bookworm-slim), so the Dockerfile's RUN steps,
// its HEALTHCHECK (bash's /dev/tcp) and the glibc binary behave as they would on it.
//
// podman runs with its own storage, run and config folders under the test's scratch folder, so
// it neither reads nor changes the machine's images, and the stand-in is never tagged with a
// real image's name (the Dockerfile takes its base images as build arguments).
import { spawnSync } from "node:child_process";
import { copyFileSync, lstatSync, mkdirSync, readlinkSync, realpathSync, symlinkSync, writeFileSync, chmodSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";

const TOOLS = ["bash", "sh", "cat", "grep", "id", "ls", "mkdir", "chown", "chmod", "useradd", "groupadd", "nologin"];

function ldd(binary: string): string[] {
  const r = spawnSync("ldd", [binary], { encoding: "utf8" });
  if (r.status !== 0) return [];
  return [...r.stdout.matchAll(/(\/\S+)/g)].map((m) => m[1]!).filter((p) => existsSync(p));
}

/** Copies `path` into `root` at the same place (following symlinks: the file's content lands there). */
function place(root: string, path: string): void {
  const dest = join(root, path);
  if (existsSync(dest)) return;
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(realpathSync(path), dest);
  chmodSync(dest, lstatSync(realpathSync(path)).mode & 0o7777);
}

/** Builds the stand-in root filesystem and returns the path of its tarball. */
export function buildStandinTarball(dir: string, extraBinaries: string[]): string {
  const root = join(dir, "rootfs");
  mkdirSync(root, { recursive: true });
  // Mirror the host's merged-/usr layout (bin → usr/bin …) where the host has it.
  for (const top of ["bin", "sbin", "lib", "lib64"]) {
    try {
      if (lstatSync(`/${top}`).isSymbolicLink()) {
        mkdirSync(join(root, "usr", top), { recursive: true });
        symlinkSync(readlinkSync(`/${top}`), join(root, top));
      }
    } catch {
      // absent on this host (lib64 on some architectures)
    }
  }
  for (const d of ["etc", "tmp", "var/tmp", "root", "proc", "sys", "dev", "run", "usr/local/bin"]) mkdirSync(join(root, d), { recursive: true });
  chmodSync(join(root, "tmp"), 0o1777);

  const binaries = TOOLS.map((t) => Bun.which(t) ?? Bun.which(t, { PATH: "/usr/sbin:/sbin" })).filter((p): p is string => !!p);
  for (const bin of binaries) {
    place(root, bin);
    for (const lib of ldd(realpathSync(bin))) place(root, lib);
  }
  for (const bin of extraBinaries) for (const lib of ldd(bin)) place(root, lib);

  writeFileSync(join(root, "etc/passwd"), "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
  writeFileSync(join(root, "etc/group"), "root:x:0:\nnogroup:x:65534:\n");
  writeFileSync(join(root, "etc/shadow"), "root:*:19000:0:99999:7:::\n", { mode: 0o640 });
  writeFileSync(join(root, "etc/gshadow"), "root:*::\n", { mode: 0o640 });
  writeFileSync(join(root, "etc/nsswitch.conf"), "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n");
  if (existsSync("/etc/login.defs")) copyFileSync("/etc/login.defs", join(root, "etc/login.defs"));

  const tarball = join(dir, "standin.tar");
  const tar = spawnSync("tar", ["--numeric-owner", "--owner=0", "--group=0", "-C", root, "-cf", tarball, "."], { encoding: "utf8" });
  if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr}`);
  return tarball;
}

export interface Podman {
  /** Runs podman with the isolated folders; throws on a non-zero exit unless `allowFail`. */
  run(args: string[], opts?: { allowFail?: boolean; timeoutMs?: number }): { code: number; stdout: string; stderr: string };
}

export function isolatedPodman(dir: string): Podman {
  mkdirSync(join(dir, "tmp"), { recursive: true });
  const conf = join(dir, "containers.conf");
  // default_ulimits = []: the default nofile ulimit cannot be applied in every sandbox.
  writeFileSync(conf, '[containers]\ndefault_ulimits = []\n\n[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n');
  const base = ["--root", join(dir, "storage"), "--runroot", join(dir, "run"), "--tmpdir", join(dir, "tmp"), "--storage-driver", "vfs"];
  return {
    run(args, opts = {}) {
      const r = spawnSync("podman", [...base, ...args], {
        encoding: "utf8",
        env: { ...process.env, CONTAINERS_CONF: conf },
        timeout: opts.timeoutMs ?? 180_000,
        maxBuffer: 64 * 1024 * 1024,
      });
      const out = { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
      if (out.code !== 0 && !opts.allowFail) throw new Error(`podman ${args.join(" ")} failed (${out.code}):\n${out.stderr.slice(-4000)}`);
      return out;
    },
  };
}
