/**
 * A TCP relay for tests that need clients from other addresses: it accepts
 * on 127.0.0.1 and connects onward from a chosen source address
 * (127.0.0.2, ...), so the server sees that address. (`Deno.connect` cannot
 * choose its source address; `node:net` can.)
 *
 * @module
 */

import net from "node:net";

/** A running relay. */
export interface AddressRelay extends AsyncDisposable {
  /** `127.0.0.1:port` to connect to instead of the server. */
  server: string;
}

/** Relays connections to `target` from `sourceAddress`. */
export async function startAddressRelay(
  targetPort: number,
  sourceAddress: string,
): Promise<AddressRelay> {
  const sockets = new Set<net.Socket>();
  const relay = net.createServer((inbound) => {
    const outbound = net.connect({
      host: "127.0.0.1",
      port: targetPort,
      localAddress: sourceAddress,
    });
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {
        inbound.destroy();
        outbound.destroy();
      });
    }
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
  const port = (relay.address() as net.AddressInfo).port;
  return {
    server: `127.0.0.1:${port}`,
    async [Symbol.asyncDispose](): Promise<void> {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => relay.close(() => resolve()));
    },
  };
}
