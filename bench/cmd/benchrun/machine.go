package main

import (
	"debug/buildinfo"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// machineLines describes where and with what the figures were measured.
func machineLines(binDir string) []string {
	return []string{
		fmt.Sprintf("Machine: `nproc` = %d, CPU %s, Linux %s.", runtime.NumCPU(), cpuModel(), kernel()),
		fmt.Sprintf("Software: %s, go-smtp %s, Postfix %s (smtp-sink, smtp-source), aiosmtpd %s.",
			runtime.Version(), moduleVersion(filepath.Join(binDir, "gosmtp-sink"), "github.com/emersion/go-smtp"),
			debVersion("postfix"), debVersion("python3-aiosmtpd")),
	}
}

// cpuModel returns the first "model name" of /proc/cpuinfo.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	for line := range strings.Lines(string(b)) {
		if name, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
		}
	}
	return "unknown"
}

func kernel() string {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}

// moduleVersion returns the version of module path built into binary.
func moduleVersion(binary, path string) string {
	info, err := buildinfo.ReadFile(binary)
	if err != nil {
		return "unknown"
	}
	for _, dep := range info.Deps {
		if dep.Path == path {
			return dep.Version
		}
	}
	return "unknown"
}

// debVersion returns the installed version of a Debian package.
func debVersion(pkg string) string {
	out, err := exec.Command("dpkg-query", "-W", "-f", "${Version}", pkg).Output()
	if err != nil || len(out) == 0 {
		return "not installed"
	}
	return string(out)
}
