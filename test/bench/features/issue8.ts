// The feature benchmark's Issue 8: the appliance (cold start, backups).
import { describeMachine } from "../machine.ts";
import { type Section, f, runScript, type Ctx } from "./shared.ts";

// ---------------------------------------------------------------- issue 8: appliance

export async function issue8(c: Ctx): Promise<Section> {
  const out = await runScript("test/appliance/measure.ts", [], 300_000);
  const lines = out.trim().split("\n");
  const find = (prefix: string) => lines.find((l) => l.startsWith(prefix)) ?? "";
  const statsOf = (l: string) => {
    const m = /ms (\{[^}]*\})/.exec(l) ?? /latency ms (\{[^}]*\})/.exec(l);
    return m ? (JSON.parse(m[1]!) as Record<string, string>) : null;
  };
  const coldEmpty = statsOf(find("cold start to healthy, empty data dir"));
  const coldExisting = statsOf(find("cold start to healthy, existing data dir"));
  const idleLine = find("database ");
  const dbMb = Number(/database ([\d.]+) MB/.exec(idleLine)?.[1] ?? NaN);
  const idle = statsOf(idleLine);
  const putLine = find("PUT /api/db-backups:");
  const putMs = Number(/PUT \/api\/db-backups: (\d+) ms/.exec(putLine)?.[1] ?? NaN);
  const during = statsOf(putLine);
  const duringCount = /meanwhile: (\d+)/.exec(putLine)?.[1] ?? "?";
  const inProc = lines
    .map((l) => /^in process, backup #(\d+): (\d+) ms, longest event-loop block ([\d.]+) ms/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ n: Number(m[1]), ms: Number(m[2]), block: Number(m[3]) }));
  const worstBlock = inProc.length ? Math.max(...inProc.map((b) => b.block)) : NaN;
  const slowestBackup = inProc.length ? Math.max(...inProc.map((b) => b.ms)) : NaN;
  const maxDuring = Number(during?.max ?? NaN);
  const coldMedian = Number(coldEmpty?.median ?? NaN);
  const known = (x: number, ok: boolean) => (Number.isFinite(x) ? ok : null);
  return {
    issue: 8,
    title: "Issue 8 — appliance",
    targets: [
      {
        issue: 8,
        name: "Binary cold start to healthy, empty data dir (median of 8; migrations included)",
        goal: "< 300 ms",
        measured: `${f(coldMedian, 0)} ms (max ${coldEmpty?.max ?? "–"}; existing data dir: median ${coldExisting?.median ?? "–"}, max ${coldExisting?.max ?? "–"} ms)`,
        pass: known(coldMedian, coldMedian < 300),
      },
      {
        issue: 8,
        name: `Backup of a ${f(dbMb, 0)} MB database (\`PUT /api/db-backups\` while chat requests flow)`,
        goal: "< 2 s",
        measured: `${f(putMs, 0)} ms; in process: ${inProc.map((b) => `${b.ms}`).join(", ")} ms`,
        pass: known(putMs, putMs < 2000 && slowestBackup < 2000),
      },
      {
        issue: 8,
        name: "Longest event-loop block during a backup (in process, 5 ms timer; worst of 3 backups)",
        goal: "< 50 ms",
        measured: `${f(worstBlock, 1)} ms (${inProc.map((b) => `#${b.n}: ${f(b.block, 1)}`).join(", ")})`,
        pass: known(worstBlock, worstBlock < 50),
        why: inProc.length
          ? `the longest block came in backup #${inProc.reduce((a, b) => (b.block > a.block ? b : a)).n} of ${inProc.length} (${inProc.map((b) => `${f(b.block, 1)} ms`).join(", ")}); see the appliance output below.`
          : undefined,
      },
      {
        issue: 8,
        name: "Slowest gateway request while the backup runs (2 clients in a loop)",
        goal: "< 50 ms",
        measured: `${f(maxDuring, 0)} ms max over ${duringCount} requests (p99 ${during?.p99 ?? "–"} ms); with no backup running: max ${idle?.max ?? "–"} ms, p99 ${idle?.p99 ?? "–"} ms`,
        pass: known(maxDuring, maxDuring < 50),
        why: `with no backup running the slowest request already took ${idle?.max ?? "?"} ms, so part of this is the machine (the gateway, its fake upstream and the clients share ${describeMachine().cores} cores), not the backup.`,
      },
    ],
    details: ["`bun test/appliance/measure.ts` (builds its own binary from the current sources first):", "", "```", ...lines, "```"],
    method: [
      "Issue 8: `test/appliance/measure.ts` as a child process: it builds the binary from the current sources, times 8 cold starts on empty and on existing data dirs (spawn → first 200 from `/api/monitoring/health`, polling every 2 ms), fills a data dir with ~100 MB of request logs, then times `PUT /api/db-backups` (and the export and full archive, for information) through the running binary while two clients send chat requests in a loop, and finally the same operations in process with a 5 ms timer measuring how late the event loop runs.",
    ],
  };
}
