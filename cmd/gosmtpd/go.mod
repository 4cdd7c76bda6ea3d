module github.com/gosmtpd/gosmtpd/cmd/gosmtpd

go 1.26.0

require (
	github.com/gosmtpd/gosmtpd v0.0.0
	github.com/gosmtpd/gosmtpd/jetstream v0.0.0
	github.com/nats-io/nats.go v1.56.0
	go.uber.org/goleak v1.3.0
	golang.org/x/crypto v0.58.0
)

require (
	github.com/klauspost/compress v1.20.4 // indirect
	github.com/looplab/fsm v1.0.3 // indirect
	github.com/nats-io/nkeys v0.4.17 // indirect
	github.com/nats-io/nuid v1.0.1 // indirect
	github.com/pires/go-proxyproto v0.15.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
)

// The command is built from this repository's own library and handlers.
replace (
	github.com/gosmtpd/gosmtpd => ../..
	github.com/gosmtpd/gosmtpd/jetstream => ../../jetstream
)
