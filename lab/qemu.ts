// The qemu command line: TCG (KVM does not work here), no ACPI, serial console, every disk a snapshot
// (the guest's writes go to a temporary overlay, so each start sees pristine images), and a
// virtio-serial bus with the agent's three ports as unix sockets the host listens on.
import type {LabImages} from './build.js'

export interface QemuSockets {
  ctl: string
  out: string
  err: string
}

export interface QemuOptions {
  images: LabImages
  sockets: QemuSockets
  cpus: number
  memoryMiB: number
  /** agent: console on stdio (a pipe the host reads); shell: console is the user's terminal. */
  mode: 'agent' | 'shell'
  /** Extra words for the kernel command line. */
  append?: string[]
  /** Extra qemu arguments, appended last. */
  extraArgs?: string[]
}

function drive(path: string, id: string): string[] {
  return [
    '-drive', `file=${path},format=raw,if=none,id=${id},snapshot=on,cache=unsafe`,
    '-device', `virtio-blk-pci,drive=${id},serial=lab-${id}`,
  ]
}

export function qemuArgs(options: QemuOptions): string[] {
  const {images, sockets} = options
  const kernelArgs = ['console=ttyS0', 'quiet', 'panic=-1', `lab.mode=${options.mode}`, ...(options.append ?? [])]
  const args = [
    '-accel', options.cpus > 1 ? 'tcg,thread=multi' : 'tcg',
    '-smp', String(options.cpus),
    '-m', String(options.memoryMiB),
    // Without ACPI the kernel routes PCI interrupts from the BIOS tables: virtio probing takes
    // ~1 s less under TCG. The guest then leaves with `reboot -f`, which -no-reboot turns into exit.
    // But without ACPI's CPU table the kernel sees only the boot CPU ("smpboot: Boot CPU (id 0)
    // not listed by BIOS ... SMP disabled"): several CPUs need ACPI.
    '-machine', options.cpus > 1 ? 'pc' : 'pc,acpi=off',
    '-no-reboot',
    '-nic', 'none',
    ...(images.host.bios ? ['-bios', images.host.bios] : []),
    '-kernel', images.host.kernel.vmlinuz,
    '-initrd', images.initramfs.path,
    '-append', kernelArgs.join(' '),
    // vda must be the root image: the initramfs mounts /dev/vda.
    ...drive(images.root.path, 'root'),
    ...drive(images.project.path, 'project'),
    ...images.disks.flatMap((d) => drive(d.path, d.disk.name)),
    '-device', 'virtio-serial-pci,id=vser',
    '-chardev', `socket,id=ctl,path=${sockets.ctl}`,
    '-device', 'virtserialport,bus=vser.0,chardev=ctl,name=lab.ctl',
    '-chardev', `socket,id=out,path=${sockets.out}`,
    '-device', 'virtserialport,bus=vser.0,chardev=out,name=lab.out',
    '-chardev', `socket,id=err,path=${sockets.err}`,
    '-device', 'virtserialport,bus=vser.0,chardev=err,name=lab.err',
  ]
  if (options.mode === 'shell') args.push('-nographic')
  else args.push('-display', 'none', '-monitor', 'none', '-serial', 'stdio')
  return [...args, ...(options.extraArgs ?? [])]
}
