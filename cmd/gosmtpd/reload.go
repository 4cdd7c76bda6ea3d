package main

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	smtptls "github.com/gosmtpd/gosmtpd/transport/tls"
)

// certificates are the certificate and key pairs the command serves
// (STARTTLS's, SMTPS's), read again on SIGHUP: a renewed certificate is
// presented from the next handshake on, and no session is dropped.
type certificates []*smtptls.KeyPair

// load reads a certificate and key given by two flags, both or neither,
// and keeps the pair for reloads.
func (c *certificates) load(certFlag, keyFlag, cert, key string) (*tls.Config, error) {
	switch {
	case cert == "" && key == "":
		return nil, nil
	case cert == "" || key == "":
		return nil, usagef("%s and %s must be specified together", certFlag, keyFlag)
	}
	k, err := smtptls.LoadKeyPair(cert, key)
	if err != nil {
		return nil, fmt.Errorf("%s %s, %s %s: %w", certFlag, cert, keyFlag, key, err)
	}
	*c = append(*c, k)
	return k.Config(), nil
}

// reloadOnSIGHUP reads every pair again at each SIGHUP, until the function
// it returns is called. A pair that fails to load is logged at Error and
// the one in use is kept; a reload is logged at Warn, so that the default
// log level shows it took effect. Without certificates SIGHUP keeps its
// usual meaning (the terminal is gone: stop).
func (c certificates) reloadOnSIGHUP(log *slog.Logger) (stop func()) {
	if len(c) == 0 {
		return func() {}
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-hup:
				c.reload(log)
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(hup)
		close(done)
	}
}

func (c certificates) reload(log *slog.Logger) {
	for _, k := range c {
		cert, key := k.Files()
		if err := k.Reload(); err != nil {
			log.Error("certificate not reloaded; the one in use is kept", "cert", cert, "key", key, "err", err)
			continue
		}
		log.Warn("certificate reloaded", "cert", cert, "key", key)
	}
}
