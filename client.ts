/**
 * ferry: the ferry client. See `client.ts --help` and README.md.
 *
 * @module
 */

import { runClientCli } from "./lib/cli/ferry/client_cli.ts";

if (import.meta.main) {
  Deno.exit(await runClientCli(Deno.args));
}
