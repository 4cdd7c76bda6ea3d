module github.com/gosmtpd/gosmtpd/cmd/gosmtpd

go 1.26.0

require (
	github.com/gosmtpd/gosmtpd v0.0.0
	github.com/gosmtpd/gosmtpd/jetstream v0.0.0
	github.com/gosmtpd/gosmtpd/prometheus v0.0.0
	github.com/nats-io/nats.go v1.56.0
	github.com/prometheus/client_golang v1.25.0
	github.com/prometheus/common v0.74.0
	golang.org/x/crypto v0.58.0
)

require (
	github.com/beorn7/perks v1.0.1 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/klauspost/compress v1.20.4 // indirect
	github.com/looplab/fsm v1.0.3 // indirect
	github.com/munnerz/goautoneg v0.0.0-20191010083416-a7dc8b61c822 // indirect
	github.com/nats-io/nkeys v0.4.17 // indirect
	github.com/nats-io/nuid v1.0.1 // indirect
	github.com/pandatix/go-abnf v0.5.5 // indirect
	github.com/pires/go-proxyproto v0.15.0 // indirect
	github.com/prometheus/client_model v0.6.3 // indirect
	github.com/prometheus/procfs v0.22.0 // indirect
	go.uber.org/goleak v1.3.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)

// The command is built from this repository's own library, handlers and
// Prometheus adapter.
replace (
	github.com/gosmtpd/gosmtpd => ../..
	github.com/gosmtpd/gosmtpd/jetstream => ../../jetstream
	github.com/gosmtpd/gosmtpd/prometheus => ../../prometheus
)
