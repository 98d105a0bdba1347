/**
 * The `ceph.conf` of a single-node test cluster bound to 127.0.0.1, with
 * every path inside one temporary folder (see `../../../shared/CEPH.md`).
 *
 * @module
 */

/** What {@linkcode cephConf} needs. */
export interface CephConfInit {
  /** The cluster's temporary folder: everything lives below it. */
  dir: string;
  /** The cluster id. */
  fsid: string;
  /** The monitor's msgr2 port. */
  monV2Port: number;
  /** The monitor's legacy msgr1 port. */
  monV1Port: number;
  /** The RADOS Gateway's HTTP port. */
  rgwPort: number;
  /** The size of the OSD's sparse block file, in bytes. */
  blockBytes: number;
}

/** The monitor address list, as `mon host` and `monmaptool --addv` want it. */
export function monAddrs(init: Pick<CephConfInit, "monV1Port" | "monV2Port">): string {
  return `[v2:127.0.0.1:${init.monV2Port},v1:127.0.0.1:${init.monV1Port}]`;
}

/**
 * Renders the configuration. The OSD's block file lies in `DIR/block/`,
 * outside its data folder (`ceph-osd --mkfs` fails with ELOOP otherwise).
 *
 * @param init The folder, ids and ports.
 * @returns The text of `ceph.conf`.
 */
export function cephConf(init: CephConfInit): string {
  const d = init.dir;
  return `[global]
fsid = ${init.fsid}
mon initial members = a
mon host = ${monAddrs(init)}
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
mon warn on pool no redundancy = false
# The host's disk is shared: only stop the monitor when it is really full.
mon data avail warn = 5
mon data avail crit = 1
osd crush chooseleaf type = 0
keyring = ${d}/keyring/$cluster.$name.keyring
run dir = ${d}/run
admin socket = ${d}/run/$cluster-$name.asok
pid file = ${d}/run/$cluster-$name.pid
log file = ${d}/log/$cluster-$name.log
mon cluster log file = ${d}/log/ceph.$channel.log
crash dir = ${d}/crash
mon data = ${d}/mon/$cluster-$id
osd data = ${d}/osd/$cluster-$id
rgw data = ${d}/rgw/$cluster-$id

[osd]
osd memory target = 939524096
osd objectstore = bluestore

[osd.0]
bluestore block path = ${d}/block/osd.0.img
bluestore block create = true
bluestore block size = ${init.blockBytes}

[client.rgw.gw]
rgw frontends = beast endpoint=127.0.0.1:${init.rgwPort} tcp_nodelay=1
rgw enable usage log = false
# Free the data of deleted and overwritten objects within a minute instead of
# hours, so repeated benchmarks do not fill the OSD (readers of an old
# version still have 30 s).
rgw gc obj min wait = 30
rgw gc processor period = 30
rgw gc processor max time = 30
`;
}
