module github.com/gosmtpd/gosmtpd

go 1.26.0

require (
	github.com/looplab/fsm v1.0.3
	github.com/pires/go-proxyproto v0.15.0
	github.com/pkg/profile v1.7.0
	go.uber.org/goleak v1.3.0
	golang.org/x/crypto v0.58.0
	golang.org/x/sync v0.24.0
)

require (
	github.com/felixge/fgprof v0.9.3 // indirect
	github.com/google/pprof v0.0.0-20211214055906-6f57359322fd // indirect
)
