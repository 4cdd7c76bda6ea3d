module github.com/gosmtpd/gosmtpd/cmd/gosmtpd

go 1.26.0

require (
	github.com/gosmtpd/gosmtpd v0.0.0
	go.uber.org/goleak v1.3.0
	golang.org/x/crypto v0.58.0
)

require (
	github.com/looplab/fsm v1.0.3 // indirect
	github.com/pires/go-proxyproto v0.15.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
)

// The command is built from this repository's own library.
replace github.com/gosmtpd/gosmtpd => ../..
