package main

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// dropPrivileges switches to the user nobody when run as root, as aiosmtpd
// does unless -n is given; here after the sockets are open, so that port 25
// still works. Supplementary groups and the group go too (aiosmtpd keeps
// root's group). Files the handler creates later (a Maildir) belong to
// nobody.
func dropPrivileges(nosetuid bool) error {
	if nosetuid || os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		return fmt.Errorf("cannot drop privileges to nobody (use -n to stay root): %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := syscall.Setgroups(nil); err != nil {
		return fmt.Errorf("cannot drop privileges: setgroups: %w", err)
	}
	if err := syscall.Setgid(gid); err != nil {
		return fmt.Errorf("cannot drop privileges: setgid: %w", err)
	}
	if err := syscall.Setuid(uid); err != nil {
		return fmt.Errorf("cannot drop privileges: setuid: %w", err)
	}
	return nil
}
