//go:build !linux

package tensor

// physicalMemory is fallbackMemory where sysinfo(2) does not exist.
func physicalMemory() uint64 { return fallbackMemory }
