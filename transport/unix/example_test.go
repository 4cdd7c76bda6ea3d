package unix_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gosmtpd/gosmtpd/transport/unix"
)

// A socket for local delivery agents in one group: a stale file from a
// crashed run is replaced, and Close removes the socket file.
func ExampleListen() {
	dir, err := os.MkdirTemp("", "lmtp")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "lmtp.sock")

	l, err := unix.Listen(path, 0o660)
	if err != nil {
		log.Fatal(err)
	}
	fi, _ := os.Stat(path)
	fmt.Println(fi.Mode())
	l.Close() // serve with gosmtpd.Server.Serve(l) instead
	_, err = os.Stat(path)
	fmt.Println(os.IsNotExist(err))
	// Output:
	// Srw-rw----
	// true
}
