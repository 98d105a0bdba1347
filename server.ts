/**
 * ferryd: the ferry server. See `server.ts --help` and README.md.
 *
 * @module
 */

import { runServerCli } from "./lib/cli/ferryd/server_cli.ts";

if (import.meta.main) {
  Deno.exit(await runServerCli(Deno.args));
}
