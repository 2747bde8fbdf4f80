// The kernel modules the guest loads, in dependency order.
// ext4 and crc32c are built into Debian's cloud kernel; everything else the lab needs is a module.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

/** Module paths under /usr/lib/modules/<version>/kernel, dependencies first. */
export const GUEST_MODULES: readonly string[] = [
  'drivers/virtio/virtio_ring.ko',
  'drivers/virtio/virtio.ko',
  'drivers/virtio/virtio_pci_modern_dev.ko',
  'drivers/virtio/virtio_pci_legacy_dev.ko',
  'drivers/virtio/virtio_pci.ko',
  'drivers/block/virtio_blk.ko',
  'drivers/char/virtio_console.ko',
  'drivers/block/loop.ko',
  'fs/quota/quota_tree.ko',
  'fs/quota/quota_v2.ko',
  'lib/libcrc32c.ko',
  'fs/xfs/xfs.ko',
]

const SIGNATURE_MAGIC = Buffer.from('~Module signature appended~\n')
/** struct module_signature: algo, hash, id_type, signer_len, key_id_len, pad[3], sig_len (be32). */
const SIGNATURE_INFO_SIZE = 12

/**
 * Drops the appended signature of a module. The kernel does not enforce signatures
 * (CONFIG_MODULE_SIG_FORCE unset); checking them under TCG costs ~0.5 s at boot for xfs alone.
 */
export function stripModuleSignature(module: Buffer): Buffer {
  const magicAt = module.length - SIGNATURE_MAGIC.length
  if (magicAt < SIGNATURE_INFO_SIZE || !module.subarray(magicAt).equals(SIGNATURE_MAGIC)) return module
  const infoAt = magicAt - SIGNATURE_INFO_SIZE
  const sigLength = module.readUInt32BE(infoAt + 8)
  const end = infoAt - sigLength
  return end > 0 ? module.subarray(0, end) : module
}

export function readGuestModules(modulesDir: string): Array<{name: string; data: Buffer}> {
  return GUEST_MODULES.map((relative) => ({
    name: relative.split('/').pop() as string,
    data: stripModuleSignature(readFileSync(join(modulesDir, 'kernel', relative))),
  }))
}
