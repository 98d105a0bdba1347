/**
 * ferry: the ferry client. See `client.ts --help` and README.md.
 *
 * @module
 */

import { runClientCli } from "./lib/cli/client_cli.ts";

if (import.meta.main) {
  Deno.exit(await runClientCli(Deno.args));
}
