/**
 * `npm run surge -- [options]`: a drop rehearsal against a running Holdfast (see --help).
 * Prints a report and writes surge.json and surge.html; exits 0 when nothing was oversold,
 * 1 when something was (or the counters do not add up), 2 on bad options or no target.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { DEV_ADMIN_TOKEN_FILE } from "../app/composition/devFiles.ts";
import { RESULTS_DIRECTORY } from "./lib/results.ts";
import { reportHtml } from "./surge/html.ts";
import { parseSurgeArgs, SURGE_USAGE, SurgeUsageError } from "./surge/options.ts";
import { buildReport, describeReport } from "./surge/report.ts";
import { runSurge, type Progress } from "./surge/run.ts";
import { SurgeError } from "./surge/target.ts";

const localToken = () => (existsSync(DEV_ADMIN_TOKEN_FILE) ? readFileSync(DEV_ADMIN_TOKEN_FILE, "utf8").trim() : null);

function progressBar(tty: boolean): Progress {
  let lastLine = 0;
  return (point, run) => {
    const share = run.units === 0 ? 0 : point.sold / run.units;
    const bar = "#".repeat(Math.round(share * 20)).padEnd(20, ".");
    const line =
      `[${bar}] sold ${point.sold}/${run.units} | arrived ${point.arrived}/${run.shoppers} | waiting ${point.waiting ?? "?"} | ` +
      `admitted ${point.admitted ?? "?"} | held ${point.held} | done ${run.done} | ${Math.round(run.elapsedMs / 1_000)} s`;
    if (tty) process.stderr.write(`\r${line.padEnd(120)}`);
    else if (run.elapsedMs - lastLine >= 5_000) {
      lastLine = run.elapsedMs;
      process.stderr.write(`${line}\n`);
    }
  };
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseSurgeArgs(process.argv.slice(2), process.env, localToken, process.stderr.isTTY === true);
  } catch (error) {
    if (!(error instanceof SurgeUsageError)) throw error;
    process.stderr.write(`surge: ${error.message}\n(npm run surge -- --help for the options)\n`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(`${SURGE_USAGE}\n`);
    return 0;
  }
  const options = parsed.options;
  let run;
  try {
    run = await runSurge(options, progressBar(options.progress));
  } catch (error) {
    if (!(error instanceof SurgeError)) throw error;
    process.stderr.write(`surge: ${error.message}\n`);
    return 2;
  }
  if (options.progress) process.stderr.write("\n");
  const report = buildReport(run, options);
  const text = describeReport(report);
  const directory = options.outDirectory ?? RESULTS_DIRECTORY;
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, "surge.json"), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(directory, "surge.html"), reportHtml(report, text));
  process.stdout.write(`${text}\n\nwrote ${join(directory, "surge.json")} and ${join(directory, "surge.html")}\n`);
  return report.oversold === 0 && report.inconsistentItems.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`surge: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(2);
  },
);
