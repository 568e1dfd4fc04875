package config

import "syscall"

// tmpfsMagic is the file system type of a tmpfs (linux/magic.h).
const tmpfsMagic = 0x01021994

// inMemory reports whether dir is on a tmpfs.
func inMemory(dir string) bool {
	var st syscall.Statfs_t
	return syscall.Statfs(dir, &st) == nil && st.Type == tmpfsMagic
}
