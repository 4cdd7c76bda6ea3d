module github.com/gosmtpd/gosmtpd/interop/gosmtp

go 1.26.0

require (
	github.com/emersion/go-smtp v0.26.0
	github.com/gosmtpd/gosmtpd v0.0.0
)
