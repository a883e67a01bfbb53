package tensor

import "syscall"

// physicalMemory is the machine's RAM in bytes, from sysinfo(2), or
// fallbackMemory when the call fails.
func physicalMemory() uint64 {
	var info syscall.Sysinfo_t
	if err := syscall.Sysinfo(&info); err != nil || info.Totalram == 0 {
		return fallbackMemory
	}
	return uint64(info.Totalram) * uint64(info.Unit)
}
