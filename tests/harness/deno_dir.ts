/**
 * Deno's cache folder as this test process sees it. A command run with the
 * `HOME` of a person of its own would look for its cache there (and try to
 * download the npm packages of the lock file); passing this keeps the one
 * already filled, so nothing is downloaded at run time.
 *
 * @module
 */

/** `deno info --json`'s `denoDir`. */
export const DENO_DIR: string = JSON.parse(
  new TextDecoder().decode(
    (await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output()).stdout,
  ),
).denoDir;
