// Command canned runs the canned-reply SMTP responder (package
// bench/internal/canned): the floor of what any SMTP server can do, used as
// a row of the benchmark and to check that the load generator is not the
// bottleneck.
package main

import (
	"flag"
	"log"
	"net"

	"github.com/gosmtpd/gosmtpd/bench/internal/canned"
)

func main() {
	addr := flag.String("l", "127.0.0.1:2525", "address to listen on")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("canned: %v", err)
	}
	log.Fatal(canned.Serve(ln))
}
