/**
 * `rcnn ARGS...` in a process of its own, for tests that measure memory: runs the CLI, then
 * prints `PEAK_RSS_KB <n>` (the process's peak resident set, Linux `maxrss`) on stderr and
 * exits with the CLI's code. Run it with vite-node (workspace sources): see `peak-rss.ts`.
 */
import { main } from '../main';

const code = await main(process.argv.slice(2));
process.stderr.write(`\nPEAK_RSS_KB ${process.resourceUsage().maxRSS}\n`);
process.exitCode = code;
